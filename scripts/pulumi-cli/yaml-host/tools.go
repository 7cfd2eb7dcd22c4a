//go:build tools

// Package tools pins the YAML language host that `npm run pulumi:install` builds into .tools/bin
// (github.com/pulumi/pulumi-yaml, its own module, served by the Go module proxy; see ../README.md).
package tools

import (
	_ "github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml"
)
