package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/giropops/giropops-senhas/internal/password"
)

// The API's defaults are the original app's: 8 characters, letters only.
const defaultLength = 8

// generateRequest is the body of POST /api/gerar-senha, with the original
// field names. Values stay raw so that each gets its own clear error.
type generateRequest struct {
	Tamanho   json.RawMessage `json:"tamanho"`
	Numeros   json.RawMessage `json:"incluir_numeros"`
	Especiais json.RawMessage `json:"incluir_caracteres_especiais"`
}

// options turns the request into generator options; absent fields and nulls
// take the defaults.
func (r generateRequest) options() (password.Options, error) {
	o := password.Options{Length: defaultLength}
	var err error
	if s, ok, e := jsonScalar(r.Tamanho, "tamanho"); e != nil {
		return o, e
	} else if ok {
		if o.Length, err = parseLength(s); err != nil {
			return o, err
		}
	}
	if o.Digits, err = jsonBool(r.Numeros, "incluir_numeros"); err != nil {
		return o, err
	}
	if o.Special, err = jsonBool(r.Especiais, "incluir_caracteres_especiais"); err != nil {
		return o, err
	}
	return o, nil
}

// formOptions reads the page's form. An unchecked checkbox is not sent, so an
// absent one is false.
func formOptions(tamanho string, numeros, especiais []string) (password.Options, error) {
	var o password.Options
	var err error
	if o.Length, err = parseLength(tamanho); err != nil {
		return o, err
	}
	if len(numeros) > 0 {
		if o.Digits, err = parseBool(numeros[0], "incluir_numeros"); err != nil {
			return o, err
		}
	}
	if len(especiais) > 0 {
		if o.Special, err = parseBool(especiais[0], "incluir_caracteres_especiais"); err != nil {
			return o, err
		}
	}
	return o, nil
}

var errLength = fmt.Errorf("tamanho deve ser um número inteiro entre %d e %d", password.MinLength, password.MaxLength)

// parseLength accepts a decimal integer within the generator's bounds.
func parseLength(s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < password.MinLength || n > password.MaxLength {
		return 0, errLength
	}
	return n, nil
}

// parseBool accepts what JSON clients and HTML forms send. Python read any
// non-empty string, "false" included, as true; here anything unknown is an error.
func parseBool(s, field string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "on", "1":
		return true, nil
	case "false", "off", "0":
		return false, nil
	}
	return false, fmt.Errorf("%s deve ser true ou false", field)
}

// jsonBool is parseBool for a JSON value; absent and null are false.
func jsonBool(raw json.RawMessage, field string) (bool, error) {
	s, ok, err := jsonScalar(raw, field)
	if err != nil || !ok {
		return false, err
	}
	return parseBool(s, field)
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
