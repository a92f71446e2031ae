package netguard_test

import (
	"net/netip"
	"strings"
	"testing"

	"appointd/internal/netguard"
)

func TestRefusal(t *testing.T) {
	own := []netip.Addr{netip.MustParseAddr("203.0.114.7"), netip.MustParseAddr("2a00:1450::7")}
	for _, c := range []struct {
		addr string
		off  string // refusal without the flag ("" = allowed)
		on   string // refusal with --webhook-allow-loopback
	}{
		{"8.8.8.8", "", ""},
		{"1.1.1.1", "", ""},
		{"2606:4700:4700::1111", "", ""},
		{"172.32.0.1", "", ""},
		{"100.128.0.1", "", ""},
		{"64:ff9b::808:808", "", ""}, // NAT64 of 8.8.8.8
		{"127.0.0.1", "loopback", ""},
		{"127.9.9.9", "loopback", ""},
		{"::1", "loopback", ""},
		{"::ffff:127.0.0.1", "loopback", ""},
		{"10.1.2.3", "private", ""},
		{"172.16.0.1", "private", ""},
		{"192.168.1.1", "private", ""},
		{"::ffff:10.0.0.1", "private", ""},
		{"fd12::1", "private", ""},
		{"203.0.114.7", "own address", ""}, // public-looking, but this host's
		{"2a00:1450::7", "own address", ""},
		{"0.0.0.0", "special-purpose", "special-purpose"},
		{"0.1.2.3", "special-purpose", "special-purpose"},
		{"::", "special-purpose", "special-purpose"},
		{"100.64.0.1", "special-purpose", "special-purpose"},
		{"169.254.169.254", "special-purpose", "special-purpose"},
		{"fe80::1%eth0", "special-purpose", "special-purpose"},
		{"192.0.0.8", "special-purpose", "special-purpose"},
		{"192.0.2.1", "special-purpose", "special-purpose"},
		{"192.88.99.1", "special-purpose", "special-purpose"},
		{"198.18.0.1", "special-purpose", "special-purpose"},
		{"198.19.255.255", "special-purpose", "special-purpose"},
		{"198.51.100.1", "special-purpose", "special-purpose"},
		{"203.0.113.1", "special-purpose", "special-purpose"},
		{"224.0.0.1", "special-purpose", "special-purpose"},
		{"239.255.255.250", "special-purpose", "special-purpose"},
		{"240.0.0.1", "special-purpose", "special-purpose"},
		{"255.255.255.255", "special-purpose", "special-purpose"},
		{"::ffff:169.254.169.254", "special-purpose", "special-purpose"},
		{"::127.0.0.1", "special-purpose", "special-purpose"},
		{"64:ff9b::7f00:1", "loopback", ""},
		{"64:ff9b::a9fe:a9fe", "special-purpose", "special-purpose"},
		{"64:ff9b:1::1", "special-purpose", "special-purpose"},
		{"100::1", "special-purpose", "special-purpose"},
		{"2001::1", "special-purpose", "special-purpose"},
		{"2001:db8::1", "special-purpose", "special-purpose"},
		{"2002:7f00:1::1", "special-purpose", "special-purpose"},
		{"ff02::1", "special-purpose", "special-purpose"},
		{"4000::1", "not a global unicast", "not a global unicast"},
	} {
		ip := netip.MustParseAddr(c.addr)
		for _, allow := range []bool{false, true} {
			want := c.off
			if allow {
				want = c.on
			}
			got := netguard.Refusal(ip, allow, own)
			if (want == "") != (got == "") || !strings.Contains(got, want) {
				t.Errorf("Refusal(%s, allowLocal=%v) = %q, want %q", c.addr, allow, got, want)
			}
		}
	}
}

// TestOwnAddrs: the host's interface addresses are found and refused
// without the flag, whatever their range.
func TestOwnAddrs(t *testing.T) {
	own := netguard.OwnAddrs()
	if len(own) == 0 {
		t.Fatal("no interface addresses")
	}
	for _, a := range own {
		if r := netguard.Check(a, false); r == "" {
			t.Errorf("own address %s allowed", a)
		}
	}
}
