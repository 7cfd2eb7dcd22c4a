// Command pulumi-nexudus-sdkgen generates an SDK of a Pulumi package from its schema with
// Pulumi's own code generators (github.com/pulumi/pulumi/pkg/v3/codegen/{python,go,dotnet}),
// the code `pulumi package gen-sdk` runs inside the language hosts:
//
//	pulumi-nexudus-sdkgen <schema.json> <python|go|dotnet> <out-dir>
//
// It writes the generated files under out-dir (which it does not empty) and prints their count.
// scripts/gen-sdks.js runs it; `npm run pulumi:install` builds it into .tools/bin.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"

	"github.com/pulumi/pulumi/pkg/v3/codegen/dotnet"
	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	"github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

// Version is set by the build (-X main.Version=<pkg/v3 version>).
var Version = "dev"

const tool = "pulumi-nexudus-sdkgen"

// offline answers the one download the code generators make (the .NET generator fetches the
// package's logo, Pulumi's default one when the schema has no logoUrl) with a plain 64x64 PNG
// drawn here, and refuses every other request: generation never reaches the network.
type offline struct{}

func (offline) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Path != "/pulumi/pulumi/dbc96206bec722b7791a22ff50e895ab7c0abdc0/sdk/dotnet/pulumi_logo_64x64.png" {
		return nil, fmt.Errorf("%s does not download anything (asked for %s); remove logoUrl from the schema", tool, req.URL)
	}
	img := image.NewRGBA(image.Rect(0, 0, 64, 64))
	for y := 0; y < 64; y++ {
		for x := 0; x < 64; x++ {
			img.Set(x, y, color.RGBA{R: 0x4d, G: 0x5b, B: 0xd9, A: 0xff})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return &http.Response{
		StatusCode: http.StatusOK,
		Header:     http.Header{"Content-Type": []string{"image/png"}},
		Body:       io.NopCloser(&buf),
		Request:    req,
	}, nil
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, tool+": "+format+"\n", args...)
	os.Exit(1)
}

func main() {
	if len(os.Args) == 2 && os.Args[1] == "--version" {
		fmt.Println(Version)
		return
	}
	if len(os.Args) != 4 {
		fail("usage: %s <schema.json> <python|go|dotnet> <out-dir>", tool)
	}
	schemaPath, language, out := os.Args[1], os.Args[2], os.Args[3]
	http.DefaultTransport = offline{}

	text, err := os.ReadFile(schemaPath)
	if err != nil {
		fail("cannot read the schema: %v", err)
	}
	var spec schema.PackageSpec
	if err := json.Unmarshal(text, &spec); err != nil {
		fail("%s is not a package schema (JSON): %v", schemaPath, err)
	}
	pkg, diags, err := schema.BindSpec(spec, nil, schema.ValidationOptions{})
	if err != nil {
		fail("%s does not bind: %v", schemaPath, err)
	}
	if diags.HasErrors() {
		fail("%s is not a valid package schema: %s", schemaPath, diags.Error())
	}

	var files map[string][]byte
	switch language {
	case "python":
		files, err = python.GeneratePackage(tool, pkg, nil, nil)
	case "go":
		files, err = gogen.GeneratePackage(tool, pkg, nil)
	case "dotnet":
		files, err = dotnet.GeneratePackage(tool, pkg, nil, nil)
	default:
		fail("unknown language %q: python, go or dotnet", language)
	}
	if err != nil {
		fail("generating the %s SDK failed: %v", language, err)
	}

	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		dest := filepath.Join(out, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
			fail("%v", err)
		}
		if err := os.WriteFile(dest, files[name], 0o644); err != nil {
			fail("%v", err)
		}
	}
	fmt.Printf("%d files\n", len(names))
}
