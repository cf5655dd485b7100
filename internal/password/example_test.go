package password_test

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/giropops/giropops-senhas/internal/password"
)

// form returns a get function for ParseRequest over url.Values, as a handler
// would pass r.Form or a decoded JSON object.
func form(v url.Values) func(string) (string, bool) {
	return func(name string) (string, bool) { return v.Get(name), v.Has(name) }
}

func ExampleParseRequest() {
	r, err := password.ParseRequest(form(url.Values{"tamanho": {"16"}, "incluir_numeros": {"true"}}))
	fmt.Println(r.Length, r.Digits, r.MinDigits, err)

	_, err = password.ParseRequest(form(url.Values{"tamanho": {"200"}}))
	fmt.Println(err)
	_, err = password.ParseRequest(form(url.Values{"regras": {"required: upper"}, "tamanho": {"8"}}))
	fmt.Println(err)
	// Output:
	// 16 true 1 <nil>
	// tamanho deve ser um número inteiro entre 4 e 128
	// regras não pode ser combinada com tamanho
}

func ExampleRequest_Generator() {
	g, err := password.DefaultRequest().Generator()
	if err != nil {
		panic(err)
	}
	p := g.Generate()
	fmt.Printf("%d letters, %.2f bits\n", len(p), g.Entropy())
	// Output: 8 letters, 45.60 bits
}

func ExampleGenerator_Entropy() {
	for _, v := range []url.Values{
		{"tamanho": {"16"}, "incluir_numeros": {"true"}, "incluir_caracteres_especiais": {"true"}},
		{"tamanho": {"8"}, "incluir_numeros": {"true"}, "minimo_numeros": {"3"}, "evitar_ambiguos": {"true"}},
		{"regras": {"minlength: 12; maxlength: 16; required: lower; required: upper; required: digit; max-consecutive: 2"}},
		{"tipo": {"frase"}, "palavras": {"5"}, "incluir_numeros": {"true"}},
	} {
		r, err := password.ParseRequest(form(v))
		if err != nil {
			panic(err)
		}
		g, err := r.Generator()
		if err != nil {
			panic(err)
		}
		fmt.Printf("%.2f bits\n", g.Entropy())
	}
	// Output:
	// 104.61 bits
	// 43.04 bits
	// 95.17 bits
	// 70.27 bits
}

func ExampleRequest_Values() {
	r, _ := password.ParseRequest(form(url.Values{"tamanho": {"12"}, "incluir_numeros": {"on"}, "minimo_numeros": {"1"}}))
	fmt.Println(r.Values().Encode())
	// Output: incluir_numeros=true&tamanho=12
}

func ExampleFields() {
	for _, f := range password.Fields()[:4] {
		fmt.Printf("--%s (%v, padrão %q): %s\n", strings.ReplaceAll(f.Name, "_", "-"), f.Kind, f.Default, f.Help)
	}
	// Output:
	// --tipo (string, padrão "senha"): "senha" (caracteres) ou "frase" (palavras)
	// --quantidade (int, padrão "1"): quantas gerar de uma vez
	// --tamanho (int, padrão "8"): número de caracteres
	// --incluir-minusculas (bool, padrão "true"): letras minúsculas (a-z)
}

func ExampleCache() {
	cache := password.NewCache(8 << 20)
	r, _ := password.ParseRequest(form(url.Values{"tamanho": {"128"}, "incluir_numeros": {"true"}, "minimo_numeros": {"40"}}))
	g1, _ := cache.Generator(r) // counts once
	r.Count = 5
	g2, _ := cache.Generator(r) // the same Generator
	fmt.Println(g1 == g2, len(g2.Generate()))
	// Output: true 128
}

func ExampleEntropyOf() {
	fmt.Printf("%.2f\n", password.EntropyOf("ab1!"))
	// Output: 24.16
}
