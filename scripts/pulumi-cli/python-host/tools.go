//go:build tools

// Package tools pins the Python language host that `npm run pulumi:install` builds into
// .tools/bin (from github.com/pulumi/pulumi/sdk/v3, the last releases that carried it inside the
// module; see ../README.md).
package tools

import (
	_ "github.com/pulumi/pulumi/sdk/v3/python/cmd/pulumi-language-python"
)
