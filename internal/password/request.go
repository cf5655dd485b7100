package password

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// The kinds of request, the values of the tipo field.
const (
	KindPassword   = "senha" // characters
	KindPassphrase = "frase" // words
)

// Defaults and bounds of the other fields.
const (
	DefaultLength    = 8
	MaxCount         = 100
	DefaultWords     = 5
	MinWords         = 3
	MaxWords         = 20
	DefaultSeparator = "-"
	DefaultLanguage  = "en"
	// Ambiguous are the look-alikes that evitar_ambiguos leaves out.
	Ambiguous = "0Oo1lI|"
	// maxText bounds the text fields but regras, whose bound is maxRules.
	maxText  = 128
	maxRules = 512
)

// The field names, as the API, the form and the CLI (in kebab-case) spell them.
const (
	fieldKind         = "tipo"
	fieldCount        = "quantidade"
	fieldLength       = "tamanho"
	fieldLower        = "incluir_minusculas"
	fieldUpper        = "incluir_maiusculas"
	fieldDigits       = "incluir_numeros"
	fieldSpecial      = "incluir_caracteres_especiais"
	fieldMinLower     = "minimo_minusculas"
	fieldMinUpper     = "minimo_maiusculas"
	fieldMinDigits    = "minimo_numeros"
	fieldMinSpecial   = "minimo_especiais"
	fieldAvoid        = "evitar_ambiguos"
	fieldSpecialChars = "caracteres_especiais"
	fieldExclude      = "excluir"
	fieldRules        = "regras"
	fieldWords        = "palavras"
	fieldSeparator    = "separador"
	fieldCapitalize   = "capitalizar"
	fieldLanguage     = "idioma"
	messageKind       = `tipo deve ser "senha" ou "frase"`
	messageLanguage   = `idioma deve ser "en" (a lista de palavras em português ainda não está disponível)`
	messageSeparator  = "separador deve ter de 1 a 3 caracteres ASCII visíveis ou espaços, sem letras nem algarismos"
	messageNoClass    = "selecione ao menos uma classe: incluir_minusculas, incluir_maiusculas, incluir_numeros ou incluir_caracteres_especiais"
)

// FieldKind is the type of a field's value.
type FieldKind int

// The kinds of field.
const (
	Bool   FieldKind = iota + 1 // true/false, on/off, 1/0
	Int                         // a decimal integer
	String                      // text
)

func (k FieldKind) String() string {
	switch k {
	case Bool:
		return "bool"
	case Int:
		return "int"
	case String:
		return "string"
	}
	return "FieldKind(" + strconv.Itoa(int(k)) + ")"
}

// Field describes one generation field for the CLI flags (kebab-case of
// Name), the page and the docs.
type Field struct {
	Name    string
	Kind    FieldKind
	Default string // the value when absent; "" for a default that depends on other fields (Help says which)
	Help    string // pt-BR, one line
	For     string // KindPassword or KindPassphrase when only that kind takes it; "" for both
	Min     int    // bounds of an Int field
	Max     int
}

// Fields lists every generation field in the order the UI shows them. It
// returns a new slice each time, so callers may change it.
func Fields() []Field { return slices.Clone(fieldTable[:]) }

// fieldTable is the table Fields copies; nothing writes to it.
var fieldTable = [...]Field{
	{Name: fieldKind, Kind: String, Default: KindPassword, Help: `"senha" (caracteres) ou "frase" (palavras)`},
	{Name: fieldCount, Kind: Int, Default: "1", Min: 1, Max: MaxCount, Help: "quantas gerar de uma vez"},
	{Name: fieldLength, Kind: Int, Default: strconv.Itoa(DefaultLength), Min: MinLength, Max: MaxLength, For: KindPassword, Help: "número de caracteres"},
	{Name: fieldLower, Kind: Bool, Default: "true", For: KindPassword, Help: "letras minúsculas (a-z)"},
	{Name: fieldUpper, Kind: Bool, Default: "true", For: KindPassword, Help: "letras maiúsculas (A-Z)"},
	{Name: fieldDigits, Kind: Bool, Default: "false", Help: "algarismos (0-9); numa frase, um algarismo no fim de uma das palavras"},
	{Name: fieldSpecial, Kind: Bool, Default: "false", For: KindPassword, Help: "caracteres especiais (" + Punctuation + ")"},
	{Name: fieldMinLower, Kind: Int, Default: "0", Min: 0, Max: MaxLength, For: KindPassword, Help: "mínimo de minúsculas"},
	{Name: fieldMinUpper, Kind: Int, Default: "0", Min: 0, Max: MaxLength, For: KindPassword, Help: "mínimo de maiúsculas"},
	{Name: fieldMinDigits, Kind: Int, Min: 0, Max: MaxLength, For: KindPassword, Help: "mínimo de algarismos (padrão: 1 com incluir_numeros, senão 0)"},
	{Name: fieldMinSpecial, Kind: Int, Min: 0, Max: MaxLength, For: KindPassword, Help: "mínimo de caracteres especiais (padrão: 1 com incluir_caracteres_especiais, senão 0)"},
	{Name: fieldAvoid, Kind: Bool, Default: "false", For: KindPassword, Help: "deixar de fora os parecidos " + strings.Join(strings.Split(Ambiguous, ""), " ")},
	{Name: fieldSpecialChars, Kind: String, For: KindPassword, Help: "quais caracteres especiais usar (padrão: os 32)"},
	{Name: fieldExclude, Kind: String, For: KindPassword, Help: "caracteres que nunca entram"},
	{Name: fieldRules, Kind: String, For: KindPassword, Help: `regras de site no formato passwordrules, como "minlength: 12; required: upper; required: digit"; substitui tamanho e as classes`},
	{Name: fieldWords, Kind: Int, Default: strconv.Itoa(DefaultWords), Min: MinWords, Max: MaxWords, For: KindPassphrase, Help: "número de palavras"},
	{Name: fieldSeparator, Kind: String, Default: DefaultSeparator, For: KindPassphrase, Help: "entre as palavras: até 3 caracteres, sem letras nem algarismos"},
	{Name: fieldCapitalize, Kind: Bool, Default: "false", For: KindPassphrase, Help: "primeira letra de cada palavra em maiúscula"},
	{Name: fieldLanguage, Kind: String, Default: DefaultLanguage, For: KindPassphrase, Help: "lista de palavras: en (EFF, 7.776 palavras)"},
}

// passwordClassFields are the fields that regras replaces.
var passwordClassFields = []string{fieldLength, fieldLower, fieldUpper, fieldDigits, fieldSpecial,
	fieldMinLower, fieldMinUpper, fieldMinDigits, fieldMinSpecial, fieldAvoid, fieldSpecialChars, fieldExclude}

// ReplacedByRules reports whether regras replaces the field name, so that a
// request cannot give both.
func ReplacedByRules(name string) bool { return slices.Contains(passwordClassFields, name) }

// Request is a parsed, validated generation request. Fields that do not apply
// to its Kind (or that regras replaces) are zero.
type Request struct {
	Kind  string // KindPassword or KindPassphrase
	Count int    // how many to generate, 1..MaxCount

	// Password (Kind == KindPassword) without Rules.
	Length                                    int
	Lower, Upper, Digits, Special             bool // Digits is also the passphrase's digit
	MinLower, MinUpper, MinDigits, MinSpecial int
	AvoidAmbiguous                            bool
	SpecialChars                              string // the special characters, sorted; "" for all of Punctuation
	Exclude                                   string // characters never used, sorted

	// Rules is a passwordrules string; when set it replaces every field above but Count.
	Rules string

	// Passphrase (Kind == KindPassphrase).
	Words      int
	Separator  string
	Capitalize bool
	Language   string
}

// DefaultRequest is what a request without fields asks for: one password of
// DefaultLength letters.
func DefaultRequest() Request {
	return Request{Kind: KindPassword, Count: 1, Length: DefaultLength, Lower: true, Upper: true}
}

// fieldReader reads raw fields and turns them into values or errors.
type fieldReader struct {
	get func(string) (string, bool)
}

// present reports whether the field was given; an empty text field counts as
// absent, as an empty form input does.
func (f fieldReader) present(name string, kind FieldKind) bool {
	s, ok := f.get(name)
	return ok && (kind != String || s != "")
}

func (f fieldReader) text(name, def string) string {
	if s, ok := f.get(name); ok && s != "" {
		return s
	}
	return def
}

func (f fieldReader) boolean(name string, def bool) (bool, error) {
	s, ok := f.get(name)
	if !ok {
		return def, nil
	}
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "on", "1":
		return true, nil
	case "false", "off", "0":
		return false, nil
	}
	return false, fmt.Errorf("%s deve ser true ou false", name)
}

func (f fieldReader) integer(name string, def, lo, hi int) (int, error) {
	s, ok := f.get(name)
	if !ok {
		return def, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < lo || n > hi {
		return 0, integerError(name, lo, hi)
	}
	return n, nil
}

// integerError is the message for an integer field out of its bounds, such
// as "tamanho deve ser um número inteiro entre 4 e 128".
func integerError(name string, lo, hi int) error {
	return fmt.Errorf("%s deve ser um número inteiro entre %d e %d", name, lo, hi)
}

// ParseRequest reads the fields by API name from a form-like source: get
// returns the raw text of a field and whether it was present. Booleans accept
// true/false/on/off/1/0 (case-insensitive, trimmed); integers are decimal; an
// empty text field is absent. Fields that do not apply to the request's tipo,
// or that regras replaces, are errors when present. The first problem found,
// in the order of Fields, is the error, a message in Portuguese that names
// the field.
func ParseRequest(get func(name string) (string, bool)) (Request, error) {
	f := fieldReader{get: get}
	r := Request{Kind: KindPassword}
	switch strings.ToLower(strings.TrimSpace(f.text(fieldKind, KindPassword))) {
	case KindPassword:
	case KindPassphrase:
		r.Kind = KindPassphrase
	default:
		return Request{}, errors.New(messageKind)
	}
	var err error
	if r.Count, err = f.integer(fieldCount, 1, 1, MaxCount); err != nil {
		return Request{}, err
	}
	for _, fd := range fieldTable {
		if fd.For != "" && fd.For != r.Kind && f.present(fd.Name, fd.Kind) {
			if r.Kind == KindPassphrase {
				return Request{}, fmt.Errorf("%s não se aplica a tipo=frase", fd.Name)
			}
			return Request{}, fmt.Errorf("%s exige tipo=frase", fd.Name)
		}
	}
	if r.Kind == KindPassphrase {
		err = r.readPassphrase(f)
	} else if f.present(fieldRules, String) {
		err = r.readRules(f)
	} else {
		err = r.readPassword(f)
	}
	if err != nil {
		return Request{}, err
	}
	return r, nil
}

func (r *Request) readPassphrase(f fieldReader) error {
	var err error
	if r.Words, err = f.integer(fieldWords, DefaultWords, MinWords, MaxWords); err != nil {
		return err
	}
	r.Separator = f.text(fieldSeparator, DefaultSeparator)
	if r.Capitalize, err = f.boolean(fieldCapitalize, false); err != nil {
		return err
	}
	if r.Digits, err = f.boolean(fieldDigits, false); err != nil {
		return err
	}
	r.Language = strings.ToLower(strings.TrimSpace(f.text(fieldLanguage, DefaultLanguage)))
	return r.validatePassphrase()
}

func (r *Request) readRules(f fieldReader) error {
	for _, fd := range fieldTable {
		if slices.Contains(passwordClassFields, fd.Name) && f.present(fd.Name, fd.Kind) {
			return fmt.Errorf("regras não pode ser combinada com %s", fd.Name)
		}
	}
	r.Rules = f.text(fieldRules, "")
	// Count the passwords now, so that rules no password meets are refused here.
	_, err := r.charGenerator(countOnly)
	return err
}

func (r *Request) readPassword(f fieldReader) error {
	var err error
	if r.Length, err = f.integer(fieldLength, DefaultLength, MinLength, MaxLength); err != nil {
		return err
	}
	for _, b := range []struct {
		v    *bool
		name string
		def  bool
	}{{&r.Lower, fieldLower, true}, {&r.Upper, fieldUpper, true}, {&r.Digits, fieldDigits, false}, {&r.Special, fieldSpecial, false}} {
		if *b.v, err = f.boolean(b.name, b.def); err != nil {
			return err
		}
	}
	for _, m := range []struct {
		v    *int
		name string
		def  bool
	}{{&r.MinLower, fieldMinLower, false}, {&r.MinUpper, fieldMinUpper, false}, {&r.MinDigits, fieldMinDigits, r.Digits}, {&r.MinSpecial, fieldMinSpecial, r.Special}} {
		if *m.v, err = f.integer(m.name, b2i(m.def), 0, MaxLength); err != nil {
			return err
		}
	}
	if r.AvoidAmbiguous, err = f.boolean(fieldAvoid, false); err != nil {
		return err
	}
	r.SpecialChars = f.text(fieldSpecialChars, "")
	r.Exclude = f.text(fieldExclude, "")
	_, err = r.passwordProblem()
	if err == nil {
		r.SpecialChars, r.Exclude = canonicalSpecials(r.SpecialChars), setOf(r.Exclude).String()
	}
	return err
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// canonicalSpecials sorts a valid caracteres_especiais and writes the full set
// as "", its default.
func canonicalSpecials(s string) string {
	c := setOf(s)
	if c == setOf(Punctuation) {
		return ""
	}
	return c.String()
}

// validate checks every field of r, for requests built without ParseRequest.
func (r Request) validate() error {
	if r.Count < 1 || r.Count > MaxCount {
		return integerError(fieldCount, 1, MaxCount)
	}
	switch r.Kind {
	case KindPassphrase:
		return r.validatePassphrase()
	case KindPassword:
		return nil // charGenerator checks the rest
	}
	return errors.New(messageKind)
}

func (r Request) validatePassphrase() error {
	if r.Words < MinWords || r.Words > MaxWords {
		return integerError(fieldWords, MinWords, MaxWords)
	}
	if !validSeparator(r.Separator) {
		return errors.New(messageSeparator)
	}
	if r.Language != DefaultLanguage {
		return errors.New(messageLanguage)
	}
	return nil
}

// validSeparator accepts 1 to 3 printable ASCII characters other than letters
// and digits; see the package documentation for why.
func validSeparator(s string) bool {
	if len(s) < 1 || len(s) > 3 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' || c > '~' || strings.IndexByte(Letters+Digits, c) >= 0 {
			return false
		}
	}
	return true
}

// firstNonPrintable returns the first character of s that is not printable ASCII.
func firstNonPrintable(s string) (rune, bool) {
	for _, c := range s {
		if c < ' ' || c > '~' {
			return c, true
		}
	}
	return 0, false
}

// passwordProblem checks the fields of a password request without regras and
// returns what to count.
func (r Request) passwordProblem() (problem, error) {
	if r.Length < MinLength || r.Length > MaxLength {
		return problem{}, integerError(fieldLength, MinLength, MaxLength)
	}
	if !r.Lower && !r.Upper && !r.Digits && !r.Special {
		return problem{}, errors.New(messageNoClass)
	}
	type sel struct {
		name, minName string
		on            bool
		min           int
		chars         string
		letter        bool
	}
	specials := Punctuation
	if r.SpecialChars != "" {
		specials = r.SpecialChars
	}
	classes := []sel{
		{fieldLower, fieldMinLower, r.Lower, r.MinLower, Lowercase, true},
		{fieldUpper, fieldMinUpper, r.Upper, r.MinUpper, Uppercase, true},
		{fieldDigits, fieldMinDigits, r.Digits, r.MinDigits, Digits, false},
		{fieldSpecial, fieldMinSpecial, r.Special, r.MinSpecial, specials, false},
	}
	sum := 0
	for _, c := range classes {
		if c.min < 0 || c.min > MaxLength {
			return problem{}, integerError(c.minName, 0, MaxLength)
		}
		if c.min > 0 && !c.on {
			return problem{}, fmt.Errorf("%s exige %s", c.minName, c.name)
		}
		sum += c.min
	}
	if r.SpecialChars != "" {
		if !r.Special {
			return problem{}, fmt.Errorf("%s exige %s", fieldSpecialChars, fieldSpecial)
		}
		if len(r.SpecialChars) > maxText {
			return problem{}, fmt.Errorf("%s deve ter no máximo %d caracteres", fieldSpecialChars, maxText)
		}
		for _, c := range r.SpecialChars {
			if c > '~' || !strings.ContainsRune(Punctuation, c) {
				return problem{}, fmt.Errorf("%s: %q não é um dos 32 caracteres especiais (%s)", fieldSpecialChars, string(c), Punctuation)
			}
		}
	}
	if len(r.Exclude) > maxText {
		return problem{}, fmt.Errorf("%s deve ter no máximo %d caracteres", fieldExclude, maxText)
	}
	if c, bad := firstNonPrintable(r.Exclude); bad {
		return problem{}, fmt.Errorf("%s: %q não é um caractere ASCII visível", fieldExclude, string(c))
	}
	exclude, ambiguous := setOf(r.Exclude), charset{}
	if r.AvoidAmbiguous {
		ambiguous = setOf(Ambiguous)
	}
	p := problem{n: r.Length, classes: make([]class, 0, 4), reqs: make([]requirement, 0, 5)}
	letters := false
	for _, c := range classes {
		if !c.on {
			continue
		}
		set := setOf(c.chars).minus(exclude).minus(ambiguous)
		if set.isEmpty() {
			switch all := setOf(c.chars); {
			case all.within(exclude):
				return problem{}, fmt.Errorf("excluir tira todos os caracteres de %s", c.name)
			case all.within(ambiguous):
				return problem{}, fmt.Errorf("evitar_ambiguos tira todos os caracteres de %s", c.name)
			default:
				return problem{}, fmt.Errorf("excluir e evitar_ambiguos tiram todos os caracteres de %s", c.name)
			}
		}
		p.alphabet = p.alphabet.or(set)
		p.classes = append(p.classes, class{set: set, min: c.min, letter: c.letter})
		if c.min > 0 {
			p.reqs = append(p.reqs, requirement{set: set, min: c.min})
		}
		letters = letters || c.letter
	}
	if sum > r.Length {
		return problem{}, fmt.Errorf("a soma dos mínimos (%d) passa de tamanho (%d)", sum, r.Length)
	}
	if letters {
		// A password with letters holds at least one, as the original's did.
		p.letterMin = 1
		var set charset
		for _, c := range p.classes {
			if c.letter {
				set = set.or(c.set)
			}
		}
		p.reqs = append(p.reqs, requirement{set: set, min: 1})
		if r.MinLower+r.MinUpper == 0 && sum+1 > r.Length {
			return problem{}, fmt.Errorf("a soma dos mínimos (%d) mais a letra obrigatória passa de tamanho (%d)", sum, r.Length)
		}
	}
	return p, nil
}

// Values renders r back to its fields, leaving out those at their defaults:
// ParseRequest over the result (Get for the text, Has for the presence) gives
// r again, so a redirect can keep the options in its query.
func (r Request) Values() url.Values {
	v := url.Values{}
	setInt := func(name string, n, def int) {
		if n != def {
			v.Set(name, strconv.Itoa(n))
		}
	}
	setBool := func(name string, b, def bool) {
		if b != def {
			v.Set(name, strconv.FormatBool(b))
		}
	}
	setText := func(name, s, def string) {
		if s != def {
			v.Set(name, s)
		}
	}
	if r.Kind != KindPassword {
		v.Set(fieldKind, r.Kind)
	}
	setInt(fieldCount, r.Count, 1)
	switch {
	case r.Kind == KindPassphrase:
		setInt(fieldWords, r.Words, DefaultWords)
		setText(fieldSeparator, r.Separator, DefaultSeparator)
		setBool(fieldCapitalize, r.Capitalize, false)
		setBool(fieldDigits, r.Digits, false)
		setText(fieldLanguage, r.Language, DefaultLanguage)
	case r.Rules != "":
		v.Set(fieldRules, r.Rules)
	default:
		setInt(fieldLength, r.Length, DefaultLength)
		setBool(fieldLower, r.Lower, true)
		setBool(fieldUpper, r.Upper, true)
		setBool(fieldDigits, r.Digits, false)
		setBool(fieldSpecial, r.Special, false)
		setInt(fieldMinLower, r.MinLower, 0)
		setInt(fieldMinUpper, r.MinUpper, 0)
		setInt(fieldMinDigits, r.MinDigits, b2i(r.Digits))
		setInt(fieldMinSpecial, r.MinSpecial, b2i(r.Special))
		setBool(fieldAvoid, r.AvoidAmbiguous, false)
		setText(fieldSpecialChars, r.SpecialChars, "")
		setText(fieldExclude, r.Exclude, "")
	}
	return v
}
