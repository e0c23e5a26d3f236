// Package webui holds the web UI assets built from web/ by npm (make ui) and
// embedded into the binary: the single-page app served by `flowlens serve`,
// and the self-contained graph bundle of `flowlens graph -o html`.
//
// A build without the assets (go build before make ui) still works: App
// and Standalone then say that the UI is missing and how to build it.
package webui

import (
	"embed"
	"errors"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// ErrNotBuilt says that this binary was built without the web UI assets.
var ErrNotBuilt = errors.New("this flowlens binary was built without the web UI: run `make ui` (or `make build`), which builds web/ with npm, then rebuild")

// App returns the single-page app (index.html and its assets), or
// ErrNotBuilt.
func App() (fs.FS, error) {
	sub, err := fs.Sub(dist, "dist/app")
	if err != nil {
		return nil, err
	}
	if _, err := fs.Stat(sub, "index.html"); err != nil {
		return nil, ErrNotBuilt
	}
	return sub, nil
}

// Standalone returns the script and style sheet of the self-contained
// graph viewer, which `flowlens graph -o html` inlines into one file.
func Standalone() (js, css []byte, err error) {
	js, err = dist.ReadFile("dist/standalone/graph.js")
	if err != nil {
		return nil, nil, ErrNotBuilt
	}
	css, err = dist.ReadFile("dist/standalone/graph.css")
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, nil, err
	}
	return js, css, nil
}
