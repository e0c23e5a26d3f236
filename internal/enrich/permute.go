package enrich

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/binary"
	"slices"
)

// feistelRounds is the number of Feistel rounds. Ten rounds of a keyed
// PRF are what NIST's FF1 format-preserving cipher uses for domains down
// to a few hundred elements.
const feistelRounds = 10

// perm is a keyed pseudorandom permutation of [0, n): a balanced Feistel
// network over the smallest even number of bits holding n-1, whose round
// function is AES-128 under a key derived from the user's key, restricted
// to [0, n) by cycle walking (apply the network again until the value
// falls in range: the walk stays on the input's cycle, so it terminates
// and the restriction is a bijection). Without the key the permutation can
// neither be computed nor inverted. A nil *perm is the identity.
type perm struct {
	block cipher.Block
	n     u128
	half  uint // bits per Feistel half, 1 to 64
}

// newPerm returns the permutation of [0, n) keyed by key (16 bytes); n = 0
// stands for 2^128.
func newPerm(key []byte, n u128) *perm {
	b := uint(128)
	if !n.isZero() {
		if !u128.less(u128{0, 1}, n) {
			return nil // one element: nothing to permute
		}
		b = uint(n.sub(u128{0, 1}).bitLen())
		b += b & 1
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		panic("enrich: bad derived key length") // keys are derived here: an invariant
	}
	return &perm{block: block, n: n, half: b / 2}
}

func (p *perm) apply(x u128) u128 {
	if p == nil {
		return x
	}
	for {
		x = p.feistel(x)
		if p.n.isZero() || x.less(p.n) {
			return x
		}
	}
}

func (p *perm) feistel(x u128) u128 {
	h := p.half
	m := ^uint64(0) >> (64 - h)
	l, r := x.shr(h).lo&m, x.lo&m
	var in, out [aes.BlockSize]byte
	in[1] = byte(h)
	for i := 0; i < feistelRounds; i++ {
		in[0] = byte(i)
		binary.BigEndian.PutUint64(in[8:], r)
		p.block.Encrypt(out[:], in[:])
		l, r = r, l^(binary.BigEndian.Uint64(out[8:])&m)
	}
	return u128{0, l}.shl(h).or(u128{0, r})
}

// interval is an inclusive range of numbers.
type interval struct{ first, last u128 }

func (iv interval) size() u128 { return iv.last.sub(iv.first).inc() }

// domain is a set of numbers (addresses, or prefixes of one length as
// block numbers): a range minus holes. It maps its members to members by
// a keyed permutation of their ranks.
type domain struct {
	rng   interval
	holes []interval // sorted, disjoint, non-adjacent, inside rng
	perm  *perm
}

// newDomain builds the domain rng \ holes keyed by key. The holes may
// overlap each other and rng's outside; they are clipped and merged.
func newDomain(key []byte, rng interval, holes []interval) *domain {
	d := &domain{rng: rng}
	var hs []interval
	for _, h := range holes {
		if h.last.less(rng.first) || rng.last.less(h.first) {
			continue
		}
		if h.first.less(rng.first) {
			h.first = rng.first
		}
		if rng.last.less(h.last) {
			h.last = rng.last
		}
		hs = append(hs, h)
	}
	slices.SortFunc(hs, func(a, b interval) int { return a.first.cmp(b.first) })
	for _, h := range hs {
		if n := len(d.holes); n > 0 && (d.holes[n-1].last == mask(128) || !d.holes[n-1].last.inc().less(h.first)) {
			if d.holes[n-1].last.less(h.last) {
				d.holes[n-1].last = h.last
			}
			continue
		}
		d.holes = append(d.holes, h)
	}
	// Count without overflowing when rng is the whole 128-bit space.
	count := rng.last.sub(rng.first)
	for _, h := range d.holes {
		count = count.sub(h.size())
	}
	if count == mask(128) {
		d.perm = newPerm(key, u128{}) // 2^128 members: the whole space
	} else {
		d.perm = newPerm(key, count.inc())
	}
	return d
}

// contains reports whether x is a member (in the range, in no hole).
func (d *domain) contains(x u128) bool {
	if x.less(d.rng.first) || d.rng.last.less(x) {
		return false
	}
	for _, h := range d.holes {
		if !x.less(h.first) && !h.last.less(x) {
			return false
		}
	}
	return true
}

// mapNum maps a member to a member.
func (d *domain) mapNum(x u128) u128 {
	if d.perm == nil {
		return x
	}
	return d.unrank(d.perm.apply(d.rank(x)))
}

func (d *domain) rank(x u128) u128 {
	r := x.sub(d.rng.first)
	for _, h := range d.holes {
		if !h.last.less(x) {
			break
		}
		r = r.sub(h.size())
	}
	return r
}

func (d *domain) unrank(r u128) u128 {
	x := d.rng.first.add(r)
	for _, h := range d.holes {
		if x.less(h.first) {
			break
		}
		x = x.add(h.size())
	}
	return x
}
