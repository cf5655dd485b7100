package server

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"math"
	"time"
)

// What the history keeps is sealed with AES-256-GCM, under a key that the
// server does not hold:
//
//   - in session scope, a key derived (HKDF-SHA256) from a 32-byte secret that
//     only the client's session cookie carries. The store key is another part of
//     the same derivation, so neither the cookie nor a password reaches the
//     store, and any replica that sees the cookie derives both again;
//   - in global scope, a key derived from HISTORY_KEY; without it the global
//     list stays the original app's plain list of passwords.
//
// A sealed entry is a version byte, a random 12-byte nonce and the ciphertext
// of (entropy in hundredths of a bit, 4 bytes big-endian; password; padding),
// with the store key as additional data, so that an entry moved to another list
// does not open there. The padding (0x80 then zeros, ISO/IEC 7816-4) takes the
// password to 47 bytes, or else to 95, 191, 383...: what the store keeps says
// nothing of a password's length up to 47 characters, and little above.

// secretSize is the size of a session secret; its cookie is its unpadded
// base64url text, 43 characters.
const secretSize = 32

// sealVersion starts every sealed value, so that the format can change.
// Version 1 entries (before padding) still open.
const (
	sealVersion   = 2
	sealUnpadded  = 1
	minPaddedSize = 48 // a padded password and its 0x80 byte
)

// list is a history list, how long a write keeps it (0: forever) and the AEAD
// that seals its entries (nil: a plain list).
type list struct {
	key  string
	ttl  time.Duration
	aead cipher.AEAD
}

// derive returns the store key (32 hex characters) and the AEAD of a secret.
// Both come from one HKDF output: knowing the store key tells nothing of the
// AEAD key, and neither gives back the secret. The secret is 32 uniformly
// random bytes (or HISTORY_KEY, which must be), already a pseudorandom key, so
// HKDF's extract step is skipped (RFC 5869, section 3.3) and only Expand runs.
func derive(secret []byte, info string) (id string, aead cipher.AEAD) {
	k, err := hkdf.Expand(sha256.New, secret, info, 16+32)
	if err != nil {
		panic(err) // only for a length HKDF-SHA256 cannot produce
	}
	block, err := aes.NewCipher(k[16:])
	if err != nil {
		panic(err) // a 32-byte key is always valid
	}
	aead, err = cipher.NewGCM(block)
	if err != nil {
		panic(err)
	}
	return hex.EncodeToString(k[:16]), aead
}

// record is a generated password as the history keeps it.
type record struct {
	senha string
	bits  float64 // its exact entropy; NaN when unknown (a plain entry)
}

// padded is the size a password of n bytes is padded to, its 0x80 included.
func padded(n int) int {
	size := minPaddedSize
	for size < n+1 {
		size *= 2
	}
	return size
}

// seal returns r sealed under aead for the list at key, padded.
func seal(aead cipher.AEAD, key string, r record) string {
	plain := make([]byte, 4, 4+padded(len(r.senha)))
	binary.BigEndian.PutUint32(plain, uint32(math.Round(r.bits*100)))
	plain = append(plain, pad([]byte(r.senha))...)
	return sealBytes(aead, []byte(key), plain)
}

// pad returns b, 0x80 and zeros, to padded(len(b)) bytes.
func pad(b []byte) []byte {
	out := make([]byte, len(b), padded(len(b)))
	copy(out, b)
	return append(out, 0x80)[:cap(out)]
}

// unpad returns what pad padded, and false if b is not padded.
func unpad(b []byte) ([]byte, bool) {
	b = bytes.TrimRight(b, "\x00")
	if len(b) == 0 || b[len(b)-1] != 0x80 {
		return nil, false
	}
	return b[:len(b)-1], true
}

// sealBytes seals plain under aead with additional data ad: the version, a
// random nonce and the ciphertext.
func sealBytes(aead cipher.AEAD, ad, plain []byte) string {
	out := make([]byte, 1+aead.NonceSize(), 1+aead.NonceSize()+len(plain)+aead.Overhead())
	out[0] = sealVersion
	rand.Read(out[1:])
	return string(aead.Seal(out, out[1:], plain, ad))
}

var errUnsealed = errors.New("entry does not open")

// openBytes returns what sealBytes sealed in s with ad, and its version.
func openBytes(aead cipher.AEAD, ad []byte, s string) ([]byte, error) {
	n := aead.NonceSize()
	if len(s) < 1+n+aead.Overhead() || s[0] != sealVersion && s[0] != sealUnpadded {
		return nil, errUnsealed
	}
	plain, err := aead.Open(nil, []byte(s[1:1+n]), []byte(s[1+n:]), ad)
	if err != nil {
		return nil, errUnsealed
	}
	return plain, nil
}

// open returns the record sealed in s for the list at key. An entry written
// before sealing, with another key or for another list does not open.
func open(aead cipher.AEAD, key, s string) (record, error) {
	plain, err := openBytes(aead, []byte(key), s)
	if err != nil || len(plain) < 4 {
		return record{}, errUnsealed
	}
	senha := plain[4:]
	if s[0] == sealVersion {
		var ok bool
		if senha, ok = unpad(senha); !ok {
			return record{}, errUnsealed
		}
	}
	return record{senha: string(senha), bits: float64(binary.BigEndian.Uint32(plain)) / 100}, nil
}
