package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"

	"github.com/giropops/giropops-senhas/internal/password"
)

// The generation fields are password.Fields: the API, the form, the page's
// query and the command line read them by the same names, through
// password.ParseRequest, so that each has the same default and the same
// error message everywhere. This file only turns each medium into a lookup.

// fields is a lookup of generation fields by name, as ParseRequest takes it.
type fields map[string]string

func (f fields) get(name string) (string, bool) { s, ok := f[name]; return s, ok }

// jsonFields reads the generation fields of a JSON object: a string as its
// contents, a number or boolean as its text, as a form would send it; absent
// and null are absent; objects and arrays are errors. Unknown fields are
// ignored, as the original app ignored them.
func jsonFields(body map[string]json.RawMessage) (fields, error) {
	f := fields{}
	for name, raw := range body {
		if !slices.Contains(fieldNames, name) {
			continue
		}
		s, ok, err := jsonScalar(raw, name)
		if err != nil {
			return nil, err
		}
		if ok {
			f[name] = s
		}
	}
	return f, nil
}

// fieldNames are the names of the generation fields.
var fieldNames = func() []string {
	var names []string
	for _, fd := range password.Fields() {
		names = append(names, fd.Name)
	}
	return names
}()

// formFields reads the generation fields of the page's form. A form posts
// every input, so the fields that do not apply to the chosen tipo, and those
// that regras replaces when it is filled in, are left out here; an unchecked
// checkbox is not posted, so an absent checkbox of the chosen tipo is false.
// Empty inputs are absent. A form without the field "opcoes" (the original
// app's, with only tamanho and two checkboxes) has no letter checkboxes: its
// letters keep their default.
func formFields(v url.Values) fields {
	f := fields{}
	kind := v.Get("tipo")
	rules := kind != password.KindPassphrase && v.Get("regras") != ""
	full := v.Has("opcoes")
	for _, fd := range password.Fields() {
		if fd.For != "" && fd.For != kind && !(fd.For == password.KindPassword && kind == "") {
			continue
		}
		if rules && password.ReplacedByRules(fd.Name) {
			continue
		}
		switch s := v.Get(fd.Name); {
		case fd.Kind == password.Bool && !v.Has(fd.Name):
			if full || fd.Default != "true" {
				f[fd.Name] = "false"
			}
		case s != "":
			f[fd.Name] = s
		}
	}
	return f
}

// jsonScalar returns a JSON string's contents, or a number's or boolean's
// text, as a form would send it. Absent and null give ok == false; objects and
// arrays are errors.
func jsonScalar(raw json.RawMessage, field string) (s string, ok bool, err error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "", false, nil
	}
	switch raw[0] {
	case '"':
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", false, fmt.Errorf("%s: texto inválido", field)
		}
		return s, true, nil
	case '{', '[':
		return "", false, fmt.Errorf("%s deve ser um valor simples, não um objeto ou lista", field)
	}
	return string(raw), true, nil
}

// errNotObject is the answer to a body that is valid JSON but not an object,
// such as null, which crashed the original app.
var errNotObject = errors.New("o corpo deve ser um objeto JSON, como {\"tamanho\": 12}")
