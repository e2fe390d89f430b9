/*
 * l2tp_avp.h - the codec's AVP table, shared by l2tp.c (parse) and
 * l2tp_build.c (build); not for other modules.
 */
#ifndef L2TPD_L2TP_AVP_H
#define L2TPD_L2TP_AVP_H

#include <stdbool.h>
#include <stdint.h>

/* RFC 2661 4.4: one IETF AVP's name, value size range, M bit to send */
struct l2tp_avp_def {
	const char *name;
	uint16_t min, max;	/* value bytes, after unhiding */
	bool mandatory;
};

/* The definition of a known AVP, NULL for others (any vendor != 0). */
const struct l2tp_avp_def *l2tp_avp_def(uint16_t vendor, uint16_t type);

#endif
