package redistest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/giropops/giropops-senhas/internal/testenv"
)

// TLS is a redis-server that also listens with TLS, under a CA made for the
// test, and wants a client certificate under that CA.
type TLS struct {
	*Server
	TLSAddr string // 127.0.0.1:port of the TLS listener
	// Files made for the test, in PEM: the CA, the server's certificate (for
	// 127.0.0.1 and localhost), a client certificate and its key.
	CA, ClientCert, ClientKey string
	// OtherCA is a CA that signed nothing here: a client trusting it alone
	// must refuse the server.
	OtherCA string
}

// StartTLS starts a redis-server with a TLS listener beside its plain one (the
// plain one serves the test's own checks). Extra redis-server options come last.
func StartTLS(t testing.TB, args ...string) *TLS {
	t.Helper()
	dir := t.TempDir()
	ca, caKey := newCert(t, dir, "ca", nil, nil, true)
	newCert(t, dir, "server", ca, caKey, false)
	newCert(t, dir, "client", ca, caKey, false)
	newCert(t, dir, "other-ca", nil, nil, true)
	l := testenv.Listen(t)
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	f := func(name string) string { return filepath.Join(dir, name) }
	srv := StartWith(t, false, append([]string{
		"--tls-port", strconv.Itoa(port),
		"--tls-cert-file", f("server.pem"), "--tls-key-file", f("server-key.pem"),
		"--tls-ca-cert-file", f("ca.pem"), "--tls-auth-clients", "yes",
		"--tls-protocols", "TLSv1.2 TLSv1.3",
		"--bind", "127.0.0.1", "127.0.0.2", // 127.0.0.2: an address its certificate does not name
	}, args...)...)
	return &TLS{Server: srv, TLSAddr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
		CA: f("ca.pem"), ClientCert: f("client.pem"), ClientKey: f("client-key.pem"), OtherCA: f("other-ca.pem")}
}

// newCert writes name.pem and name-key.pem in dir: a CA if ca is nil, else a
// certificate it signs for 127.0.0.1 and localhost.
func newCert(t testing.TB, dir, name string, ca *x509.Certificate, caKey *ecdsa.PrivateKey, isCA bool) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "giropops-senhas test " + name},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:     []string{"localhost"},
	}
	parent, signer := tmpl, key
	if isCA {
		tmpl.IsCA, tmpl.BasicConstraintsValid = true, true
		tmpl.KeyUsage |= x509.KeyUsageCertSign
		tmpl.ExtKeyUsage, tmpl.IPAddresses, tmpl.DNSNames = nil, nil, nil
	} else {
		parent, signer = ca, caKey
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, signer)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	write := func(file, typ string, b []byte) {
		if err := os.WriteFile(filepath.Join(dir, file), pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: b}), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(name+".pem", "CERTIFICATE", der)
	write(name+"-key.pem", "EC PRIVATE KEY", keyDER)
	return cert, key
}
