/*
 * l2tp_avp.h - the codec's AVP table, shared by l2tp.c (parse) and
 * l2tp_build.c (build); not for other modules.
 */
#ifndef L2TPD_L2TP_AVP_H
#define L2TPD_L2TP_AVP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * How a value maps to struct l2tp_values: the plain kinds are parsed and
 * built by one generic path at `off`; AVP_SPECIAL ones (composite values,
 * zero checks, quirks) have their own code in decode_value/encode_value.
 */
enum l2tp_avp_kind {
	AVP_SPECIAL,
	AVP_U16,		/* uint16_t at off */
	AVP_U32,		/* uint32_t at off */
	AVP_BYTES,		/* struct l2tp_bytes at off (the rest) */
};

/* RFC 2661 4.4: one IETF AVP's name, value size range, M bit to send */
struct l2tp_avp_def {
	const char *name;
	uint16_t min, max;	/* value bytes, after unhiding */
	bool mandatory;
	enum l2tp_avp_kind kind;
	size_t off;		/* in struct l2tp_values, plain kinds only */
};

/* The definition of a known AVP, NULL for others (any vendor != 0). */
const struct l2tp_avp_def *l2tp_avp_def(uint16_t vendor, uint16_t type);

#endif
