package server

import "net/http"

// contentSecurityPolicy allows nothing but this origin's own files: no inline
// script or style, no other origin, no framing, and forms post only here.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; " +
	"img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// securityHeaders sets the headers every answer carries.
// Answers to requests that came over TLS carry Strict-Transport-Security, and
// all of them do when the operator says the site is HTTPS (COOKIE_SECURE=always).
func securityHeaders(next http.Handler, alwaysTLS bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if alwaysTLS || overTLS(r) {
			// Browsers ignore it over plain HTTP; over TLS it keeps them from ever
			// trying plain HTTP (where a cookie could be read or planted) for a year.
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}
