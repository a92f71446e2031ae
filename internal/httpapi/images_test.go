package httpapi_test

import (
	"bytes"
	"image/png"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"appointd/internal/httpapi"
)

// TestPlaceholderImages: every /images/… path the code puts in an answer
// is served as a PNG, and the list of served paths covers all of them.
func TestPlaceholderImages(t *testing.T) {
	served := map[string]bool{}
	for _, p := range httpapi.PlaceholderImages {
		served[p] = true
	}
	re := regexp.MustCompile(`"(/images/[^"]+)"`)
	filepath.Walk("..", func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, _ := os.ReadFile(path)
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			if !served[m[1]] {
				t.Errorf("%s uses %s, which the server does not serve", path, m[1])
			}
		}
		return nil
	})
	eachEngine(t, func(t *testing.T, e *env) {
		for _, p := range httpapi.PlaceholderImages {
			res, err := http.Get(e.srv.URL + p)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/png" {
				t.Fatalf("GET %s: %d %s", p, res.StatusCode, res.Header.Get("Content-Type"))
			}
			if _, err := png.Decode(bytes.NewReader(body)); err != nil {
				t.Fatalf("GET %s: not a PNG: %v", p, err)
			}
		}
	})
}
