//go:build tools

// Package tools pins the Pulumi CLI that `npm run pulumi:install` builds into .tools/bin.
package tools

import (
	_ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
)
