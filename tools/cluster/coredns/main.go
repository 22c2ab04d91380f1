// CoreDNS for the local cluster (scripts/local-cluster.sh), with only the plugins its Corefile uses
// (scripts/lib/local-cluster/templates/Corefile.in): CoreDNS's documented way of choosing plugins at
// compile time, a main of our own that imports them and sets their order. The release's own main imports
// every plugin, with the cloud providers' SDKs (route53, azure, clouddns), etcd, dnstap, geoip and more:
// most of its build time goes to code the local cluster never runs. The DNS server, its Kubernetes plugin
// and their behaviour are CoreDNS's own, at the version go.mod pins.
package main

import (
	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/coremain"

	_ "github.com/coredns/coredns/plugin/bind"
	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/log"
	_ "github.com/coredns/coredns/plugin/ready"
)

// The plugins a query passes through, in the order of CoreDNS's plugin.cfg (a subset of it keeps that
// order); a Corefile directive not listed here is refused when CoreDNS starts.
var directives = []string{
	"bind",
	"ready",
	"errors",
	"log",
	"cache",
	"kubernetes",
}

func init() {
	dnsserver.Directives = directives
}

func main() {
	coremain.Run()
}
