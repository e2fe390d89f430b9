/*
 * fuzz_sessproto.c - the l2tpd <-> plugin message parser. Every accepted
 * record must build back to exactly the same bytes (the encoding is
 * canonical), and the names of every parsed field must be printable.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/sessproto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sessproto_msg m;
	uint8_t out[SESSPROTO_MAX_MSG];
	size_t len;

	if (!sessproto_parse(data, size, &m))
		return 0;
	len = sessproto_build(&m, out, sizeof(out));
	if (len != size || memcmp(out, data, size) != 0)
		abort();
	if (sessproto_type_name(m.type)[0] == '?')
		abort();
	return 0;
}
