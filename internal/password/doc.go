// Package password generates passwords and passphrases, each output that
// satisfies a request equally likely, and says exactly how many outputs there
// are.
//
// A request arrives as fields (Fields, ParseRequest), becomes a Request, and
// Request.Generator prepares a Generator whose Generate draws outputs and
// whose Entropy is the exact base-2 logarithm of how many distinct outputs it
// can draw. Randomness comes from crypto/rand only.
//
// # Passwords: what is counted
//
// A password request becomes a counting problem: strings of length n over an
// alphabet A that meet requirements "at least m_j characters from the set
// S_j" and, from regras, have no run of one character longer than k. The
// fields give n = tamanho, A = the selected classes less excluir (and less the
// look-alikes with evitar_ambiguos), one requirement per minimum above zero,
// and, when letters are selected, "at least one letter of either case" (the
// original app's guarantee, which the minimums of 0 for each case keep).
// regras gives the length (see below), A = every character of its required
// and allowed lines (all 95 printable ASCII characters when it has none) and
// one requirement with m_j = 1 per required line, whatever the overlap
// between lines.
//
// Requirements that say nothing are dropped first: a set holding all of A,
// and a set holding a smaller requirement's set (any character of the smaller
// one meets it too; duplicates included).
//
// # Passwords: how they are counted
//
// When no minimum is above 1 (every regras request, and every request with
// the original's fields) the count is inclusion–exclusion over the
// requirements:
//
//	N = sum over subsets T of the requirements of (-1)^|T| h(|A \ union of S_j for j in T|)
//
// where h(s) is the number of strings of length n over s characters: s^n, or,
// with runs limited to k, s * (v(n-1) + ... + v(n-k)) where v(0) = 1 and
// v(j) = (s-1) * (v(j-1) + ... + v(j-k)) counts the strings of length j whose
// first character differs from a given one. The subsets are at most 2^8 (at
// most 8 required lines survive the reduction), and each distinct size s
// costs one math/big power or one O(n) recurrence. All arithmetic is exact
// (math/big); counts reach 95^128.
//
// When a minimum is above 1 (only minimo_* can ask it; the classes are then
// disjoint) the count is a convolution over blocks of classes: the letter
// classes form one block, which must hold at least one letter, and every
// other class is a block of its own. With w_c(k) = s_c^k for k >= m_c (else
// 0), a block's weights are the binomial convolution of its classes' and
//
//	P_b(j) = sum over k of C(j, k) * w_b(k) * P_(b-1)(j-k),   N = P_last(n)
//
// (C(j, k) chooses which of the j positions the block takes).
//
// # Passwords: how they are drawn uniformly
//
// Rejection: draw each of the n characters uniformly from A (bytes rejected
// above the largest multiple of |A|, so no modulo bias) and start again
// unless the string meets every requirement and run limit. Every string of
// A^n is equally likely, so every valid one is too. It is used when at least
// one draw in 16 is valid, N * 16 >= |A|^n, which the exact count tells; that
// covers nearly every real request, and it is the cheapest method.
//
// Otherwise the draw is exact, with no retries. With minimums of 1: one
// uniform integer R in [0, N) (crypto/rand.Int) and the R-th valid password in
// a fixed order (unranking). Position by position, each candidate next
// character (repeat the last one, or any other character, grouped into atoms
// = characters that belong to the same requirements) owns a block of ranks
// as large as the number of valid passwords that begin that way; the rank
// falls into one block, and what is left of it ranks the rest. The number of
// completions of a prefix, with the set U of requirements not yet met, last
// run length r and m positions left, is the same inclusion–exclusion over the
// subsets of U of v(m) + ... + v(m - min(k-r, m)) (the last character belongs
// to no requirement of U, so it stays in every alphabet of the sum). Ranks
// and passwords are in bijection, so a uniform rank gives a uniform password;
// tests unrank every rank of small cases and find each valid password once.
//
// With a minimum above 1: the vector of how many characters of each class the
// password holds is drawn with probability proportional to the number of
// passwords that have it (block by block, from the tables P and w), the
// classes are spread over the positions by a uniform shuffle and each
// character is drawn uniformly within its class. A password with class
// counts k_c is then drawn with probability
// (n!/prod k_c! * prod s_c^k_c / N) / (n!/prod k_c!) / prod s_c^k_c = 1/N.
// Nothing places the required characters first (bitwarden/jslib#718).
//
// # regras
//
// regras takes a passwordrules string (Apple's password-manager-resources,
// WHATWG whatwg/html#3518), parsed as parseRules documents. The length is 20
// clamped into [minlength, maxlength] and into [4, 128]; minlength above 128,
// maxlength below 4, or rules that no password of that length meets are
// errors. special is the 33 printable ASCII non-alphanumerics, the space
// included, as the proposal defines it; unicode is refused.
//
// # Passphrases
//
// A passphrase is palavras words drawn uniformly and independently (repeats
// allowed) from the EFF large word list (7,776 words, via
// github.com/sethvargo/go-diceware, MIT; the list is EFF's, CC BY 3.0), joined
// by separador, optionally with the first letter of each word upper case and,
// with incluir_numeros, one random digit appended to one random word (as
// Bitwarden does). The count is 7776^palavras, times 10 * palavras with the
// digit, which is the number of distinct strings because no two choices give
// the same string:
//
//   - Every word is lowercase ASCII letters, starting and ending with a
//     letter; four hold one inner hyphen (drop-down, felt-tip, t-shirt,
//     yo-yo). Capitalizing the first letter and appending a digit are
//     injective on such words.
//   - separador is 1 to 3 printable ASCII characters with no letter or digit
//     (letters or digits in it would let a word's end or the digit pass for
//     the separator). The runs of non-alphanumeric characters of a passphrase
//     are then exactly the separators and the inner hyphens; for any
//     separador but "-" the separators are the runs equal to separador, so
//     the split into words is unique.
//   - For "-", splitting at every hyphen gives tokens, and each word gives one
//     token or, hyphenated, two. No first half of a hyphenated word (drop,
//     felt, t, yo) is a word, so no word's tokens begin another's: a prefix
//     code, uniquely decodable.
//
// Tests check each premise on the real list and decode generated and crafted
// passphrases, counting every parse. idioma takes only "en": the Portuguese
// BIP-39 list (2,048 words, MIT) is not in any Go module the module proxy
// serves here (tyler-smith/go-bip39 v1.1.0, its latest release, predates it;
// the forks that have it are not served), and no other clearly licensed
// Portuguese list is.
//
// # Cost
//
// Requests with minimums of 1 cost a few math/big powers; minimums above 1,
// max-consecutive and exact sampling build tables of O(n) to O(n^2) big
// integers, at most about 2^20 big-integer operations per draw by
// construction. A server keeps a Cache so that each distinct request is
// prepared once.
package password
