package main

// The image ships no CA certificates. A managed Redis under a public CA
// (REDIS_URL=rediss://...) must still verify: these roots (Mozilla's, as the
// Go team packages them) are used only when the system has none, so a host's
// or a mounted bundle, or REDIS_TLS_CA, always wins.
import _ "golang.org/x/crypto/x509roots/fallback"
