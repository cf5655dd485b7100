package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/giropops/giropops-senhas/internal/password"
	"github.com/giropops/giropops-senhas/internal/server"
)

// openAPIDoc is the part of an OpenAPI 3.1 description the test reads.
type openAPIDoc struct {
	OpenAPI string `json:"openapi"`
	Paths   map[string]map[string]struct {
		RequestBody struct {
			Content map[string]struct {
				Schema   schema `json:"schema"`
				Examples map[string]struct {
					Value json.RawMessage `json:"value"`
				} `json:"examples"`
			} `json:"content"`
		} `json:"requestBody"`
		Responses map[string]struct {
			Content map[string]struct {
				Schema *schema `json:"schema"`
			} `json:"content"`
		} `json:"responses"`
	} `json:"paths"`
	Components struct {
		Schemas map[string]schema `json:"schemas"`
	} `json:"components"`
}

// schema is the subset of JSON Schema (2020-12, as OpenAPI 3.1 uses it) that
// the description uses.
type schema struct {
	Ref                  string            `json:"$ref"`
	Type                 any               `json:"type"` // a name or a list of names
	Properties           map[string]schema `json:"properties"`
	Required             []string          `json:"required"`
	AdditionalProperties *bool             `json:"additionalProperties"`
	Items                *schema           `json:"items"`
	MinItems             *int              `json:"minItems"`
	MaxItems             *int              `json:"maxItems"`
	Minimum              *float64          `json:"minimum"`
	Maximum              *float64          `json:"maximum"`
	Enum                 []any             `json:"enum"`
	Default              any               `json:"default"`
	Description          string            `json:"description"`
}

// validate checks v (decoded JSON) against s, resolving $ref in doc.
func (doc *openAPIDoc) validate(s schema, v any, at string) error {
	if s.Ref != "" {
		return doc.validate(doc.Components.Schemas[strings.TrimPrefix(s.Ref, "#/components/schemas/")], v, at)
	}
	types := []string{}
	switch t := s.Type.(type) {
	case string:
		types = append(types, t)
	case []any:
		for _, x := range t {
			types = append(types, x.(string))
		}
	}
	var kind string
	switch x := v.(type) {
	case nil:
		kind = "null"
	case bool:
		kind = "boolean"
	case string:
		kind = "string"
	case float64:
		kind = "number"
		if x == float64(int64(x)) && (slices.Contains(types, "integer") || !slices.Contains(types, "number")) {
			kind = "integer"
		}
	case []any:
		kind = "array"
	case map[string]any:
		kind = "object"
	}
	if len(types) > 0 && !slices.Contains(types, kind) && !(kind == "integer" && slices.Contains(types, "number")) {
		return fmt.Errorf("%s: %s, want %v", at, kind, types)
	}
	if s.Enum != nil && !slices.Contains(s.Enum, v) {
		return fmt.Errorf("%s: %v not in %v", at, v, s.Enum)
	}
	if n, ok := v.(float64); ok {
		if s.Minimum != nil && n < *s.Minimum || s.Maximum != nil && n > *s.Maximum {
			return fmt.Errorf("%s: %v out of bounds", at, n)
		}
	}
	if a, ok := v.([]any); ok {
		if s.MinItems != nil && len(a) < *s.MinItems || s.MaxItems != nil && len(a) > *s.MaxItems {
			return fmt.Errorf("%s: %d items", at, len(a))
		}
		for i, x := range a {
			if s.Items != nil {
				if err := doc.validate(*s.Items, x, at+"["+strconv.Itoa(i)+"]"); err != nil {
					return err
				}
			}
		}
	}
	if o, ok := v.(map[string]any); ok {
		for _, r := range s.Required {
			if _, ok := o[r]; !ok {
				return fmt.Errorf("%s: lacks %s", at, r)
			}
		}
		for k, x := range o {
			p, ok := s.Properties[k]
			if !ok {
				if s.AdditionalProperties != nil && !*s.AdditionalProperties {
					return fmt.Errorf("%s: %s is not described", at, k)
				}
				continue
			}
			if err := doc.validate(p, x, at+"."+k); err != nil {
				return err
			}
		}
	}
	return nil
}

func loadOpenAPI(t *testing.T, base string) *openAPIDoc {
	t.Helper()
	r := do(t, client(t), "GET", base+"/api/openapi.json", "", "")
	var doc openAPIDoc
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
		t.Fatalf("GET /api/openapi.json: %d %s", r.status, r.header.Get("Content-Type"))
	}
	dec := json.NewDecoder(strings.NewReader(r.body))
	if err := dec.Decode(&doc); err != nil || doc.OpenAPI != "3.1.0" {
		t.Fatalf("openapi.json: %v, version %q", err, doc.OpenAPI)
	}
	return &doc
}

// The served OpenAPI description names every generation field with its
// default and bounds, and every answer the API really gives (status, body)
// is one it describes.
func TestOpenAPIMatchesAnswers(t *testing.T) {
	ts := newServer(t, server.ScopeSession, memoryStore())
	doc := loadOpenAPI(t, ts.URL)

	req := doc.Components.Schemas["Pedido"]
	var names []string
	for _, f := range password.Fields() {
		names = append(names, f.Name)
		p, ok := req.Properties[f.Name]
		if !ok {
			t.Errorf("the description lacks the field %s", f.Name)
			continue
		}
		if f.Default != "" && fmt.Sprint(p.Default) != f.Default {
			t.Errorf("%s: default %v in the description, %s in the generator", f.Name, p.Default, f.Default)
		}
		if f.Kind == password.Int && (p.Minimum == nil || p.Maximum == nil || int(*p.Minimum) != f.Min || int(*p.Maximum) != f.Max) {
			t.Errorf("%s: bounds in the description differ from the generator's %d..%d", f.Name, f.Min, f.Max)
		}
	}
	for name := range req.Properties {
		if !slices.Contains(names, name) {
			t.Errorf("the description has %s, which the generator does not read", name)
		}
	}

	c := client(t)
	check := func(t *testing.T, method, path string, r response) {
		t.Helper()
		op, ok := doc.Paths[path][strings.ToLower(method)]
		if !ok {
			t.Fatalf("%s %s is not described", method, path)
		}
		resp, ok := op.Responses[strconv.Itoa(r.status)]
		if !ok {
			t.Fatalf("%s %s answered %d, which the description does not list: %s", method, path, r.status, r.body)
		}
		if ct, ok := resp.Content["application/json"]; ok && ct.Schema != nil {
			var v any
			if err := json.Unmarshal([]byte(r.body), &v); err != nil {
				t.Fatalf("%s %s: %v", method, path, err)
			}
			if err := doc.validate(*ct.Schema, v, "body"); err != nil {
				t.Errorf("%s %s %d: %v: %s", method, path, r.status, err, r.body)
			}
		}
	}
	examples := doc.Paths["/api/gerar-senha"]["post"].RequestBody.Content["application/json"].Examples
	if len(examples) == 0 {
		t.Fatal("no request example")
	}
	var bodies []string
	for _, ex := range examples {
		bodies = append(bodies, string(ex.Value))
	}
	bodies = append(bodies, `{}`, `{"quantidade": 100, "tamanho": 128}`, `{"tipo": "frase", "incluir_numeros": "on"}`)
	for _, body := range bodies {
		var v any
		json.Unmarshal([]byte(body), &v)
		if err := doc.validate(req, v, "request"); err != nil {
			t.Errorf("request %s does not match the description: %v", body, err)
		}
		check(t, "POST", "/api/gerar-senha", postJSON(t, c, ts.URL, body))
	}
	for _, bad := range []string{`{"tamanho": 2}`, `{"regras": "required: [abc"}`, `{"tamanho": "` + strings.Repeat("9", 5000) + `"}`} {
		check(t, "POST", "/api/gerar-senha", postJSON(t, c, ts.URL, bad))
	}
	check(t, "POST", "/api/gerar-senha", do(t, c, "POST", ts.URL+"/api/gerar-senha", "text/plain", "{}"))
	check(t, "GET", "/api/senhas", do(t, c, "GET", ts.URL+"/api/senhas", "", ""))
	check(t, "DELETE", "/api/senhas", do(t, c, "DELETE", ts.URL+"/api/senhas", "", ""))
	global := newServer(t, server.ScopeGlobal, memoryStore())
	check(t, "DELETE", "/api/senhas", do(t, c, "DELETE", global.URL+"/api/senhas", "", ""))

	// The validator is not a rubber stamp: an answer without senhas, or with an
	// undescribed field, fails it.
	answer := doc.Paths["/api/gerar-senha"]["post"].Responses["200"].Content["application/json"].Schema
	for _, bad := range []string{`{"senha": "x", "entropia_bits": 1}`, `{"senha": "x", "senhas": ["x"], "entropia_bits": 1, "extra": 1}`,
		`{"senha": 1, "senhas": ["x"], "entropia_bits": 1}`, `{"senha": "x", "senhas": [], "entropia_bits": 1}`} {
		var v any
		json.Unmarshal([]byte(bad), &v)
		if doc.validate(*answer, v, "body") == nil {
			t.Errorf("the validator accepted %s", bad)
		}
	}
	if r := do(t, c, "PUT", ts.URL+"/api/openapi.json", "", ""); r.status != http.StatusMethodNotAllowed {
		t.Errorf("PUT /api/openapi.json: %d", r.status)
	}
}
