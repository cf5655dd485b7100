package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/giropops/giropops-senhas/internal/password"
	"github.com/giropops/giropops-senhas/internal/server"
)

// exitCode is an error with the process's exit status: 2 for a bad command line.
type exitCode struct {
	code int
	err  error
}

func (e *exitCode) Error() string { return e.err.Error() }

// gerar is `giropops-senhas gerar [flags]`: it prints passwords, one per line,
// without a server. Its flags are the API's fields in kebab case
// (incluir_numeros is -incluir-numeros), read by the same parser as the API and
// the page, so the defaults and the error messages are the same.
func gerar(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("gerar", flag.ContinueOnError)
	fs.SetOutput(stderr)
	given := map[string]string{}
	for _, fd := range password.Fields() {
		usage := fd.Help
		if fd.Default != "" {
			usage += " (padrão: " + fd.Default + ")"
		}
		fs.Var(&fieldFlag{name: fd.Name, isBool: fd.Kind == password.Bool, given: given}, strings.ReplaceAll(fd.Name, "_", "-"), usage)
	}
	asJSON := fs.Bool("json", false, "imprime a resposta da API (JSON) em vez de uma senha por linha")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "uso: giropops-senhas gerar [opções]\n\nGera senhas ou frases-senha, uma por linha. As opções são os campos da API:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return &exitCode{2, err} // the flag package has printed the usage
	}
	if fs.NArg() > 0 {
		return &exitCode{2, fmt.Errorf("argumento inesperado %q: as opções começam com -", fs.Arg(0))}
	}
	req, err := password.ParseRequest(func(name string) (string, bool) { v, ok := given[name]; return v, ok })
	if err != nil {
		return &exitCode{2, err}
	}
	g, err := req.Generator()
	if err != nil {
		return &exitCode{2, err}
	}
	senhas := make([]string, req.Count)
	for i := range senhas {
		senhas[i] = g.Generate()
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		return enc.Encode(server.NewAnswer(senhas, g.Entropy()))
	}
	_, err = fmt.Fprintln(stdout, strings.Join(senhas, "\n"))
	return err
}

// fieldFlag is a flag that keeps its raw text for password.ParseRequest, and
// whether it was given at all (an absent field takes its default there).
type fieldFlag struct {
	name   string
	isBool bool
	given  map[string]string
}

func (f *fieldFlag) String() string   { return "" }
func (f *fieldFlag) IsBoolFlag() bool { return f.isBool }
func (f *fieldFlag) Set(s string) error {
	f.given[f.name] = s
	return nil
}
