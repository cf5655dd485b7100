package server

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"math"
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
// of (entropy in hundredths of a bit, 4 bytes big-endian; password), with the
// store key as additional data, so that an entry moved to another list does not
// open there.

// secretSize is the size of a session secret; its cookie is its unpadded
// base64url text, 43 characters.
const secretSize = 32

// sealVersion starts every sealed entry, so that the format can change.
const sealVersion = 1

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

// seal returns r sealed under aead for the list at key.
func seal(aead cipher.AEAD, key string, r record) string {
	plain := make([]byte, 4, 4+len(r.senha))
	binary.BigEndian.PutUint32(plain, uint32(math.Round(r.bits*100)))
	plain = append(plain, r.senha...)
	out := make([]byte, 1+aead.NonceSize(), 1+aead.NonceSize()+len(plain)+aead.Overhead())
	out[0] = sealVersion
	rand.Read(out[1:])
	return string(aead.Seal(out, out[1:], plain, []byte(key)))
}

var errUnsealed = errors.New("entry does not open")

// open returns the record sealed in s for the list at key. An entry written
// before sealing, with another key or for another list does not open.
func open(aead cipher.AEAD, key, s string) (record, error) {
	n := aead.NonceSize()
	if len(s) < 1+n+aead.Overhead() || s[0] != sealVersion {
		return record{}, errUnsealed
	}
	plain, err := aead.Open(nil, []byte(s[1:1+n]), []byte(s[1+n:]), []byte(key))
	if err != nil || len(plain) < 4 {
		return record{}, errUnsealed
	}
	return record{senha: string(plain[4:]), bits: float64(binary.BigEndian.Uint32(plain)) / 100}, nil
}
