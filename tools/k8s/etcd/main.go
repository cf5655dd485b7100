// Command etcd is the etcd server, built from go.etcd.io/etcd/server/v3 at the
// version pinned in go.mod (Debian's etcd 3.4 is too old for kubeadm 1.37).
// It is its own module so that its dependencies do not move Kubernetes' pins.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
