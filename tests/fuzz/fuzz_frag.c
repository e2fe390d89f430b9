/*
 * fuzz_frag.c - IKEv1 fragment reassembly (ikd/frag.c) on arbitrary
 * datagram sequences, and split -> reassemble on arbitrary messages.
 *
 * Input: byte 0 = mode.
 *   Mode bit 0 clear: a sequence of records, each
 *     [peer: 1 byte (bits 0-1 peer index, bits 2-7 clock advance in
 *      seconds / 4)] [length: 2 bytes] [datagram: length bytes]
 *   fed to one table from one of four peers. Every FRAG_DONE result must
 *   be a valid ISAKMP header of at most FRAG_MAX_SIZE bytes with a next
 *   payload other than 132; the table never holds more than
 *   FRAG_MAX_TOTAL partial messages, and after the timeout none;
 *   frag_next_expiry() answers exactly while one is held, within
 *   FRAG_TIMEOUT_MS.
 *   Mode bit 0 set: byte 1..2 = dgram_max (big endian), the rest a
 *   message. If frag_split accepts it, every fragment must parse, fit
 *   dgram_max, and the fragments fed in reverse order must reassemble to
 *   exactly the message.
 * Seeds: tests/fuzz/corpus/frag/ (record sequences from a split message,
 * with a duplicate, a conflict and a truncated fragment; split inputs).
 */
#include <sys/socket.h>
#include <netinet/in.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ikd/frag.h"
#include "lib/clock.h"
#include "lib/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t now_ms;

static uint64_t
mock_clock(void)
{
	return now_ms;
}

static void
quiet(enum log_level level, const char *line)
{
	(void)level;
	(void)line;
}

static void
check(int cond)
{
	if (!cond)
		abort();
}

static void
check_done(const uint8_t *out, size_t len)
{
	struct isakmp_hdr h;
	struct rbuf r;

	check(len <= FRAG_MAX_SIZE);
	rbuf_init(&r, out, len);
	check(isakmp_hdr_parse(&r, &h) == ISAKMP_OK);
	check(h.next != ISAKMP_PAYLOAD_FRAG);
}

static void
run_records(const uint8_t *p, size_t n)
{
	struct sockaddr_storage peers[4];
	struct frag_table *t;
	uint8_t *out;
	size_t outlen, i;
	uint64_t ms = 0;
	uint16_t len;

	memset(peers, 0, sizeof(peers));
	for (i = 0; i < 4; i++) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&peers[i];

		s4->sin_family = AF_INET;
		s4->sin_addr.s_addr = htonl(0xc0000200 + (uint32_t)(i / 2));
		s4->sin_port = htons(i % 2 ? 4500 : 500);
	}
	t = frag_table_new(FRAG_MAX_SIZE);
	check(t != NULL);
	while (n >= 3) {
		uint8_t sel = p[0];

		len = (uint16_t)(p[1] << 8 | p[2]);
		p += 3;
		n -= 3;
		if (len > n)
			len = (uint16_t)n;
		now_ms += (uint64_t)(sel >> 2) * 250;
		if (frag_recv(t, &peers[sel & 3], p, len, &out, &outlen) ==
		    FRAG_DONE) {
			check(out != NULL);
			check_done(out, outlen);
			/* some fragment carried data, none more than all */
			check(frag_last_max_data(t) > 0 &&
			    frag_last_max_data(t) <= outlen);
			free(out);
		} else {
			check(out == NULL);
		}
		check(frag_pending(t) <= FRAG_MAX_TOTAL);
		/* ikd's timer: armed exactly while something is pending */
		check(frag_next_expiry(t, &ms) == (frag_pending(t) > 0));
		check(frag_pending(t) == 0 || ms <= FRAG_TIMEOUT_MS);
		p += len;
		n -= len;
	}
	now_ms += FRAG_TIMEOUT_MS;
	check(frag_pending(t) == 0 || (frag_next_expiry(t, &ms) && ms == 0));
	frag_expire(t);
	check(frag_pending(t) == 0);
	check(!frag_next_expiry(t, &ms));
	frag_table_free(t);
}

static void
run_split(const uint8_t *p, size_t n)
{
	static uint8_t buf[FRAG_MAX_SIZE * 2];
	struct sockaddr_storage peer;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&peer;
	size_t off[FRAG_MAX_FRAGS + 1], nf, i, outlen;
	struct frag_table *t;
	struct frag_msg m;
	enum frag_result r;
	uint8_t *out;
	size_t dmax;

	if (n < 2)
		return;
	dmax = (size_t)(p[0] << 8 | p[1]);
	p += 2;
	n -= 2;
	if (!frag_split(p, n, 0x1234, ISAKMP_EXCH_IDPROT, dmax, buf,
	    sizeof(buf), off, &nf))
		return;
	check(nf >= 1 && nf <= FRAG_MAX_FRAGS);
	memset(&peer, 0, sizeof(peer));
	s4->sin_family = AF_INET;
	s4->sin_port = htons(500);
	t = frag_table_new(FRAG_MAX_SIZE);
	check(t != NULL);
	for (i = nf; i-- > 0;) {
		check(off[i + 1] - off[i] <= dmax);
		check(frag_msg_parse(buf + off[i], off[i + 1] - off[i], &m) ==
		    ISAKMP_OK);
		check(m.frag.number == i + 1);
		r = frag_recv(t, &peer, buf + off[i], off[i + 1] - off[i],
		    &out, &outlen);
		if (i > 0) {
			check(r == FRAG_PENDING);
			continue;
		}
		/* the original may be a fragment itself: refused then */
		if (p[16] == ISAKMP_PAYLOAD_FRAG) {
			check(r == FRAG_DROPPED);
			break;
		}
		check(r == FRAG_DONE);
		check(outlen == n && memcmp(out, p, n) == 0);
		free(out);
	}
	frag_table_free(t);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	log_set_sink(quiet);
	clock_set_mock(mock_clock);
	now_ms = 1000000;
	if (size < 1)
		return 0;
	if (data[0] & 1)
		run_split(data + 1, size - 1);
	else
		run_records(data + 1, size - 1);
	return 0;
}
