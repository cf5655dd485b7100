// Command ocibuild writes the giropops-senhas container image without a Docker engine
// and without a base image: one layer holding the static binary, /etc/passwd and
// /etc/group, every file time set to the commit time, so that two builds of one commit
// give the same digest.
//
//	ocibuild build -out dist/image -rootfs deploy/docker/rootfs \
//	    -bin linux/amd64=dist/bin/linux-amd64/giropops-senhas \
//	    -bin linux/arm64=dist/bin/linux-arm64/giropops-senhas \
//	    -tag giropops-senhas:v1.0.0 -tag giropops-senhas:latest -version v1.0.0 ...
//	ocibuild facts -layout dist/image/oci -max-ratio 1.1 -max-layers 2
//
// build writes an OCI layout (out/oci) whose index.json points at one multi-arch
// index, that index's digest (out/digest), and a docker-archive of the host's platform
// (out/<name>.tar) for `docker load`. facts prints what the layout holds and fails when
// the image is larger than allowed.
package main

import (
	"fmt"
	"io"
	"os"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "ocibuild:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: ocibuild build|facts [flags]")
	}
	switch args[0] {
	case "build":
		return runBuild(args[1:], stdout)
	case "facts":
		return runFacts(args[1:], stdout)
	}
	return fmt.Errorf("unknown command %q (want build or facts)", args[0])
}
