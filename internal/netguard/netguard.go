// Package netguard decides which addresses appointd may connect to on a
// tenant's behalf (webhook URLs). Loopback, private and this host's own
// interface addresses are "local": refused unless the operator allows
// them. Every other special-purpose range (IPv4 and IPv6 registries:
// unspecified, link-local, shared, documentation, benchmarking, multicast,
// reserved, ...) is refused always: nothing legitimate is reached there.
package netguard

import (
	"net"
	"net/netip"
)

type block struct {
	prefix netip.Prefix
	what   string
}

func blocks(what string, prefixes ...string) []block {
	out := make([]block, len(prefixes))
	for i, p := range prefixes {
		out[i] = block{netip.MustParsePrefix(p), what}
	}
	return out
}

// local may be allowed by the operator (--webhook-allow-loopback).
var local = concat(
	blocks("loopback", "127.0.0.0/8", "::1/128"),
	blocks("private", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"),
)

// special is never allowed.
var special = concat(
	blocks("unspecified or \"this network\"", "0.0.0.0/8", "::/128"),
	blocks("shared (carrier-grade NAT)", "100.64.0.0/10"),
	blocks("link-local", "169.254.0.0/16", "fe80::/10"),
	blocks("IETF protocol assignment", "192.0.0.0/24", "2001::/23"),
	blocks("documentation", "192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32", "3fff::/20"),
	blocks("6to4 relay", "192.88.99.0/24", "2002::/16"),
	blocks("benchmarking", "198.18.0.0/15"),
	blocks("multicast", "224.0.0.0/4", "ff00::/8"),
	blocks("reserved", "240.0.0.0/4"), // includes 255.255.255.255
	blocks("IPv4-compatible (deprecated)", "::/96"),
	blocks("discard-only", "100::/64"),
	blocks("local-use NAT64", "64:ff9b:1::/48"),
	blocks("segment routing", "5f00::/16"),
)

// nat64 embeds an IPv4 address in its last 32 bits; that address decides.
var nat64 = netip.MustParsePrefix("64:ff9b::/96")

// globalUnicast is the only IPv6 space handed out for the internet.
var globalUnicast = netip.MustParsePrefix("2000::/3")

func concat(lists ...[]block) []block {
	var out []block
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// Refusal is why ip may not be connected to, or "" when it may. allowLocal
// permits loopback, private and own addresses; own lists this host's
// interface addresses (OwnAddrs).
func Refusal(ip netip.Addr, allowLocal bool, own []netip.Addr) string {
	ip = ip.WithZone("").Unmap()
	if nat64.Contains(ip) {
		b := ip.As16()
		v4 := netip.AddrFrom4([4]byte(b[12:]))
		if r := Refusal(v4, allowLocal, own); r != "" {
			return ip.String() + " embeds " + r
		}
		return ""
	}
	what := ""
	for _, o := range own {
		if o.WithZone("").Unmap() == ip {
			what = "this host's own address"
		}
	}
	for _, b := range local {
		if what == "" && b.prefix.Contains(ip) {
			what = "a " + b.what + " address"
		}
	}
	if what != "" {
		if allowLocal {
			return ""
		}
		return ip.String() + " is " + what + " (start the server with --webhook-allow-loopback to allow it)"
	}
	for _, b := range special {
		if b.prefix.Contains(ip) {
			return ip.String() + " is a special-purpose address (" + b.what + ", " + b.prefix.String() + ")"
		}
	}
	if ip.Is6() && !globalUnicast.Contains(ip) {
		return ip.String() + " is not a global unicast IPv6 address"
	}
	return ""
}

// OwnAddrs are the addresses of this host's interfaces, read anew on each
// call (interfaces come and go). On error it returns none: loopback and
// private addresses are still caught by their ranges.
func OwnAddrs() []netip.Addr {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return nil
	}
	var out []netip.Addr
	for _, a := range addrs {
		if p, err := netip.ParsePrefix(a.String()); err == nil {
			out = append(out, p.Addr())
		}
	}
	return out
}

// Check is Refusal against this host's current interface addresses.
func Check(ip netip.Addr, allowLocal bool) string {
	return Refusal(ip, allowLocal, OwnAddrs())
}
