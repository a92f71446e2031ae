package httpapi

import (
	"bytes"
	"fmt"
	"html/template"
	"sort"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
)

// The API reference at GET /docs is rendered here from the embedded
// contract, once, with no script and no outside stylesheet, so it reads the
// same offline as online.

type docsParam struct {
	Name, In, Type, Description string
	Required                    bool
}

type docsOp struct {
	Anchor, Method, Path, Summary, Description string
	Params                                     []docsParam
	Body                                       []docsParam
	Responses                                  []docsParam // Name = code
}

type docsTag struct {
	Name, Anchor string
	Ops          []docsOp
}

type docsPage struct {
	Title, Version, Description, Base string
	Tags                              []docsTag
}

var (
	docsOnce sync.Once
	docsHTML []byte
	docsErr  error
)

func (s *Server) docs(c *call) error {
	docsOnce.Do(func() { docsHTML, docsErr = renderDocs(s.OpenAPI) })
	if docsErr != nil {
		return docsErr
	}
	c.w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, err := c.w.Write(docsHTML)
	return err
}

func (s *Server) docsSpec(c *call) error { return s.openapi(c) }

// schemaType names a schema's type in a few words: "integer",
// "array of string", "Record", "integer | string".
func schemaType(ref *openapi3.SchemaRef) string {
	if ref == nil || ref.Value == nil {
		return ""
	}
	v := ref.Value
	// A named object is shown by its name; a named scalar such as
	// LenientInteger by what it accepts.
	if ref.Ref != "" && v.Type != nil && v.Type.Is("object") {
		return ref.Ref[strings.LastIndex(ref.Ref, "/")+1:]
	}
	var alts []*openapi3.SchemaRef
	switch {
	case len(v.OneOf) > 0:
		alts = v.OneOf
	case len(v.AnyOf) > 0:
		alts = v.AnyOf
	case len(v.AllOf) == 1:
		alts = v.AllOf
	}
	var t string
	if alts != nil {
		parts := make([]string, 0, len(alts))
		for _, a := range alts {
			parts = append(parts, strings.TrimSuffix(schemaType(a), ", nullable"))
		}
		t = strings.Join(parts, " | ")
	} else if v.Type != nil && len(v.Type.Slice()) > 0 {
		t = strings.Join(v.Type.Slice(), " | ")
		if v.Type.Is("array") && v.Items != nil {
			t = "array of " + schemaType(v.Items)
		}
	}
	if v.Nullable || (alts != nil && anyNullable(alts)) {
		t += ", nullable"
	}
	return t
}

func anyNullable(alts openapi3.SchemaRefs) bool {
	for _, a := range alts {
		if a.Value != nil && a.Value.Nullable {
			return true
		}
	}
	return false
}

// schemaProps lists an object schema's properties (through allOf too).
func schemaProps(ref *openapi3.SchemaRef) []docsParam {
	if ref == nil || ref.Value == nil {
		return nil
	}
	v := ref.Value
	var out []docsParam
	for _, a := range v.AllOf {
		out = append(out, schemaProps(a)...)
	}
	names := make([]string, 0, len(v.Properties))
	for n := range v.Properties {
		names = append(names, n)
	}
	sort.Strings(names)
	req := map[string]bool{}
	for _, n := range v.Required {
		req[n] = true
	}
	for _, n := range names {
		p := v.Properties[n]
		d := ""
		if p.Value != nil {
			d = p.Value.Description
			if d == "" && p.Value.Title != "" {
				d = p.Value.Title
			}
		}
		out = append(out, docsParam{Name: n, Type: schemaType(p), Description: d, Required: req[n]})
	}
	return out
}

var methodOrder = []string{"GET", "POST", "PUT", "PATCH", "DELETE"}

func renderDocs(spec []byte) ([]byte, error) {
	doc, err := openapi3.NewLoader().LoadFromData(spec)
	if err != nil {
		return nil, fmt.Errorf("docs: load openapi.yaml: %w", err)
	}
	page := docsPage{Title: doc.Info.Title, Version: doc.Info.Version, Description: doc.Info.Description}
	if len(doc.Servers) > 0 {
		page.Base = doc.Servers[0].URL
	}
	byTag := map[string]*docsTag{}
	var order []string
	for _, t := range doc.Tags {
		byTag[t.Name] = &docsTag{Name: t.Name}
		order = append(order, t.Name)
	}
	paths := doc.Paths.InMatchingOrder()
	sort.Strings(paths)
	for _, p := range paths {
		item := doc.Paths.Value(p)
		for _, m := range methodOrder {
			op := item.GetOperation(m)
			if op == nil {
				continue
			}
			o := docsOp{Method: m, Path: page.Base + p, Summary: op.Summary, Description: op.Description}
			for _, pr := range append(append(openapi3.Parameters{}, item.Parameters...), op.Parameters...) {
				if pr.Value == nil {
					continue
				}
				o.Params = append(o.Params, docsParam{Name: pr.Value.Name, In: pr.Value.In, Type: schemaType(pr.Value.Schema),
					Description: pr.Value.Description, Required: pr.Value.Required})
			}
			if op.RequestBody != nil && op.RequestBody.Value != nil {
				for _, ct := range []string{"application/json", "application/x-www-form-urlencoded", "multipart/form-data"} {
					if mt := op.RequestBody.Value.Content.Get(ct); mt != nil {
						o.Body = schemaProps(mt.Schema)
						break
					}
				}
			}
			if op.Responses != nil {
				codes := make([]string, 0, op.Responses.Len())
				for code := range op.Responses.Map() {
					codes = append(codes, code)
				}
				sort.Strings(codes)
				for _, code := range codes {
					r := op.Responses.Value(code)
					d := ""
					if r.Value != nil && r.Value.Description != nil {
						d = *r.Value.Description
					}
					o.Responses = append(o.Responses, docsParam{Name: code, Description: d})
				}
			}
			o.Anchor = strings.ToLower(m) + strings.NewReplacer("/", "-", "{", "", "}", "", ".", "-").Replace(p)
			tag := "Other"
			if len(op.Tags) > 0 {
				tag = op.Tags[0]
			}
			if byTag[tag] == nil {
				byTag[tag] = &docsTag{Name: tag}
				order = append(order, tag)
			}
			byTag[tag].Ops = append(byTag[tag].Ops, o)
		}
	}
	for i, name := range order {
		t := byTag[name]
		if len(t.Ops) == 0 {
			continue
		}
		t.Anchor = fmt.Sprintf("tag-%d", i)
		page.Tags = append(page.Tags, *t)
	}
	var buf bytes.Buffer
	if err := docsTemplate.Execute(&buf, page); err != nil {
		return nil, fmt.Errorf("docs: render: %w", err)
	}
	return buf.Bytes(), nil
}

var docsTemplate = template.Must(template.New("docs").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} — API reference</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1d2330;background:#fafbfc}
main{max-width:980px;margin:0 auto;padding:1.5rem}
h1{font-size:1.6rem;margin:.2rem 0}h2{border-bottom:2px solid #d8dee8;padding-bottom:.2rem;margin-top:2.5rem}
h3{font-size:1.05rem;margin:0 0 .3rem}
.op{background:#fff;border:1px solid #d8dee8;border-radius:6px;padding:.8rem 1rem;margin:1rem 0}
.m{border-left:5px solid;padding-left:.5rem}
.GET{border-color:#2f6fb0}.POST{border-color:#2e8b57}.PUT{border-color:#b07a1f}.PATCH{border-color:#7a5cb0}.DELETE{border-color:#b03a2e}
code{font-family:ui-monospace,Menlo,Consolas,monospace}
table{border-collapse:collapse;width:100%;margin:.4rem 0 .8rem;font-size:.9rem}
th,td{border:1px solid #e3e7ee;padding:.25rem .5rem;text-align:left;vertical-align:top}th{background:#f1f4f8}
.desc{white-space:pre-wrap}.req{color:#b03a2e}nav ul{columns:2}h4{margin:.6rem 0 .2rem;font-size:.9rem}
</style></head><body><main>
<h1>{{.Title}}</h1>
<p>Version {{.Version}} · every path below is under the base <code>{{.Base}}</code> · raw contract: <a href="/docs/openapi.yaml">openapi.yaml</a> · <a href="/calendar">calendar</a></p>
<div class="desc">{{.Description}}</div>
<nav><h2>Contents</h2><ul>{{range .Tags}}<li><a href="#{{.Anchor}}">{{.Name}}</a> ({{len .Ops}})</li>{{end}}</ul></nav>
{{range .Tags}}<h2 id="{{.Anchor}}">{{.Name}}</h2>
{{range .Ops}}<section class="op" id="{{.Anchor}}">
<h3 class="m {{.Method}}"><code>{{.Method}} {{.Path}}</code></h3>
{{if .Summary}}<p><strong>{{.Summary}}</strong></p>{{end}}
{{if .Description}}<div class="desc">{{.Description}}</div>{{end}}
{{if .Params}}<h4>Parameters</h4><table><tr><th>Name</th><th>In</th><th>Type</th><th>Description</th></tr>
{{range .Params}}<tr><td><code>{{.Name}}</code>{{if .Required}} <span class="req">*</span>{{end}}</td><td>{{.In}}</td><td>{{.Type}}</td><td class="desc">{{.Description}}</td></tr>
{{end}}</table>{{end}}
{{if .Body}}<h4>Request body</h4><table><tr><th>Field</th><th>Type</th><th>Description</th></tr>
{{range .Body}}<tr><td><code>{{.Name}}</code>{{if .Required}} <span class="req">*</span>{{end}}</td><td>{{.Type}}</td><td class="desc">{{.Description}}</td></tr>
{{end}}</table>{{end}}
{{if .Responses}}<h4>Responses</h4><table><tr><th>Code</th><th>Description</th></tr>
{{range .Responses}}<tr><td><code>{{.Name}}</code></td><td class="desc">{{.Description}}</td></tr>
{{end}}</table>{{end}}
</section>
{{end}}{{end}}
<p><span class="req">*</span> required</p>
</main></body></html>
`))
