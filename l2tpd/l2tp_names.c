/*
 * l2tp_names.c - the RFC 2661 tables of the codec: AVP definitions, the
 * AVPs of each message type (section 6), and names for logs.
 */
#include <stddef.h>

#include "l2tpd/l2tp.h"
#include "l2tpd/l2tp_avp.h"

#define ANY	L2TP_AVP_MAX_VALUE

/* RFC 2661 4.4.1 - 4.4.6: sizes of the value and the M bit we send */
static const struct l2tp_avp_def avp_defs[L2TP_AVP_MAX + 1] = {
	[L2TP_AVP_MESSAGE_TYPE] = { "Message Type", 2, 2, true },
	[L2TP_AVP_RESULT_CODE] = { "Result Code", 2, ANY, true },
	[L2TP_AVP_PROTOCOL_VERSION] = { "Protocol Version", 2, 2, true },
	[L2TP_AVP_FRAMING_CAP] = { "Framing Capabilities", 4, 4, true },
	[L2TP_AVP_BEARER_CAP] = { "Bearer Capabilities", 4, 4, true },
	[L2TP_AVP_TIE_BREAKER] = { "Tie Breaker", 8, 8, false },
	[L2TP_AVP_FIRMWARE_REV] = { "Firmware Revision", 2, 2, false },
	[L2TP_AVP_HOST_NAME] = { "Host Name", 1, ANY, true },
	[L2TP_AVP_VENDOR_NAME] = { "Vendor Name", 0, ANY, false },
	[L2TP_AVP_ASSIGNED_TUNNEL_ID] = { "Assigned Tunnel ID", 2, 2, true },
	[L2TP_AVP_RECV_WINDOW_SIZE] = { "Receive Window Size", 2, 2, true },
	[L2TP_AVP_CHALLENGE] = { "Challenge", 1, ANY, true },
	[L2TP_AVP_Q931_CAUSE] = { "Q.931 Cause Code", 3, ANY, true },
	[L2TP_AVP_CHALLENGE_RESPONSE] = { "Challenge Response", 16, 16,
	    true },
	[L2TP_AVP_ASSIGNED_SESSION_ID] = { "Assigned Session ID", 2, 2,
	    true },
	[L2TP_AVP_CALL_SERIAL] = { "Call Serial Number", 4, 4, true },
	[L2TP_AVP_MIN_BPS] = { "Minimum BPS", 4, 4, true },
	[L2TP_AVP_MAX_BPS] = { "Maximum BPS", 4, 4, true },
	[L2TP_AVP_BEARER_TYPE] = { "Bearer Type", 4, 4, true },
	[L2TP_AVP_FRAMING_TYPE] = { "Framing Type", 4, 4, true },
	[L2TP_AVP_CALLED_NUMBER] = { "Called Number", 0, ANY, true },
	[L2TP_AVP_CALLING_NUMBER] = { "Calling Number", 0, ANY, true },
	[L2TP_AVP_SUB_ADDRESS] = { "Sub-Address", 0, ANY, true },
	[L2TP_AVP_TX_CONNECT_SPEED] = { "Tx Connect Speed", 4, 4, true },
	[L2TP_AVP_PHYS_CHANNEL_ID] = { "Physical Channel ID", 4, 4, false },
	[L2TP_AVP_INITIAL_RCVD_LCP] = { "Initial Received LCP CONFREQ", 0,
	    ANY, false },
	[L2TP_AVP_LAST_SENT_LCP] = { "Last Sent LCP CONFREQ", 0, ANY,
	    false },
	[L2TP_AVP_LAST_RCVD_LCP] = { "Last Received LCP CONFREQ", 0, ANY,
	    false },
	[L2TP_AVP_PROXY_AUTHEN_TYPE] = { "Proxy Authen Type", 2, 2, false },
	[L2TP_AVP_PROXY_AUTHEN_NAME] = { "Proxy Authen Name", 0, ANY,
	    false },
	[L2TP_AVP_PROXY_AUTHEN_CHALLENGE] = { "Proxy Authen Challenge", 1,
	    ANY, false },
	[L2TP_AVP_PROXY_AUTHEN_ID] = { "Proxy Authen ID", 2, 2, false },
	[L2TP_AVP_PROXY_AUTHEN_RESPONSE] = { "Proxy Authen Response", 0,
	    ANY, false },
	[L2TP_AVP_CALL_ERRORS] = { "Call Errors", 26, 26, true },
	[L2TP_AVP_ACCM] = { "ACCM", 10, 10, true },
	[L2TP_AVP_RANDOM_VECTOR] = { "Random Vector", 1, ANY, true },
	[L2TP_AVP_PRIVATE_GROUP_ID] = { "Private Group ID", 0, ANY, false },
	[L2TP_AVP_RX_CONNECT_SPEED] = { "Rx Connect Speed", 4, 4, false },
	[L2TP_AVP_SEQUENCING_REQUIRED] = { "Sequencing Required", 0, 0,
	    true },
};

const struct l2tp_avp_def *
l2tp_avp_def(uint16_t vendor, uint16_t type)
{
	if (vendor != L2TP_VENDOR_IETF || type > L2TP_AVP_MAX ||
	    avp_defs[type].name == NULL)
		return NULL;
	return &avp_defs[type];
}

#define B(t)	L2TP_BIT(L2TP_AVP_ ## t)

/*
 * RFC 2661 6.1 - 6.16: per message type, the AVPs it MUST carry and
 * those it MAY carry (Message Type first, and a Random Vector before
 * hidden AVPs, are implied for all).
 */
static const struct {
	bool defined;
	uint64_t must, may;
} msg_avps[L2TP_MSG_MAX + 1] = {
	[L2TP_MSG_SCCRQ] = { true,
	    B(PROTOCOL_VERSION) | B(HOST_NAME) | B(FRAMING_CAP) |
	    B(ASSIGNED_TUNNEL_ID),
	    B(BEARER_CAP) | B(RECV_WINDOW_SIZE) | B(CHALLENGE) |
	    B(TIE_BREAKER) | B(FIRMWARE_REV) | B(VENDOR_NAME) },
	[L2TP_MSG_SCCRP] = { true,
	    B(PROTOCOL_VERSION) | B(FRAMING_CAP) | B(HOST_NAME) |
	    B(ASSIGNED_TUNNEL_ID),
	    B(BEARER_CAP) | B(FIRMWARE_REV) | B(VENDOR_NAME) |
	    B(RECV_WINDOW_SIZE) | B(CHALLENGE) | B(CHALLENGE_RESPONSE) },
	[L2TP_MSG_SCCCN] = { true, 0, B(CHALLENGE_RESPONSE) },
	[L2TP_MSG_STOPCCN] = { true, B(ASSIGNED_TUNNEL_ID) | B(RESULT_CODE),
	    0 },
	[L2TP_MSG_HELLO] = { true, 0, 0 },
	[L2TP_MSG_OCRQ] = { true,
	    B(ASSIGNED_SESSION_ID) | B(CALL_SERIAL) | B(MIN_BPS) |
	    B(MAX_BPS) | B(BEARER_TYPE) | B(FRAMING_TYPE) |
	    B(CALLED_NUMBER),
	    B(SUB_ADDRESS) },
	[L2TP_MSG_OCRP] = { true, B(ASSIGNED_SESSION_ID),
	    B(PHYS_CHANNEL_ID) },
	[L2TP_MSG_OCCN] = { true, B(TX_CONNECT_SPEED) | B(FRAMING_TYPE),
	    B(RX_CONNECT_SPEED) | B(SEQUENCING_REQUIRED) },
	[L2TP_MSG_ICRQ] = { true, B(ASSIGNED_SESSION_ID) | B(CALL_SERIAL),
	    B(BEARER_TYPE) | B(PHYS_CHANNEL_ID) | B(CALLING_NUMBER) |
	    B(CALLED_NUMBER) | B(SUB_ADDRESS) },
	[L2TP_MSG_ICRP] = { true, B(ASSIGNED_SESSION_ID), 0 },
	[L2TP_MSG_ICCN] = { true, B(TX_CONNECT_SPEED) | B(FRAMING_TYPE),
	    B(INITIAL_RCVD_LCP) | B(LAST_SENT_LCP) | B(LAST_RCVD_LCP) |
	    B(PROXY_AUTHEN_TYPE) | B(PROXY_AUTHEN_NAME) |
	    B(PROXY_AUTHEN_CHALLENGE) | B(PROXY_AUTHEN_ID) |
	    B(PROXY_AUTHEN_RESPONSE) | B(PRIVATE_GROUP_ID) |
	    B(RX_CONNECT_SPEED) | B(SEQUENCING_REQUIRED) },
	[L2TP_MSG_CDN] = { true, B(RESULT_CODE) | B(ASSIGNED_SESSION_ID),
	    B(Q931_CAUSE) },
	[L2TP_MSG_WEN] = { true, B(CALL_ERRORS), 0 },
	[L2TP_MSG_SLI] = { true, B(ACCM), 0 },
};

bool
l2tp_msg_avps(uint16_t type, uint64_t *must, uint64_t *may)
{
	*must = *may = 0;
	if (type > L2TP_MSG_MAX || !msg_avps[type].defined)
		return false;
	*must = msg_avps[type].must;
	*may = msg_avps[type].may;
	return true;
}

const char *
l2tp_err_name(enum l2tp_err e)
{
	switch (e) {
	case L2TP_OK:
		return "ok";
	case L2TP_ERR_TRUNCATED:
		return "truncated";
	case L2TP_ERR_VERSION:
		return "bad version";
	case L2TP_ERR_VERSION_L2F:
		return "L2F (version 1)";
	case L2TP_ERR_VERSION_3:
		return "L2TPv3";
	case L2TP_ERR_LENGTH:
		return "bad length";
	case L2TP_ERR_CTRL_BITS:
		return "bad control flags";
	case L2TP_ERR_OFFSET:
		return "bad offset";
	case L2TP_ERR_DATA_MSG:
		return "data message";
	case L2TP_ERR_AVP_LENGTH:
		return "bad AVP length";
	case L2TP_ERR_AVP_VALUE:
		return "bad AVP value";
	case L2TP_ERR_FIRST_NOT_MSG_TYPE:
		return "first AVP not Message Type";
	case L2TP_ERR_DUPLICATE:
		return "duplicate AVP";
	case L2TP_ERR_TOO_MANY:
		return "too many AVPs";
	case L2TP_ERR_HIDDEN:
		return "bad hidden AVP";
	case L2TP_ERR_UNKNOWN_MANDATORY:
		return "unknown mandatory AVP";
	case L2TP_ERR_UNKNOWN_MSG:
		return "unknown message type";
	case L2TP_ERR_UNKNOWN_MSG_MANDATORY:
		return "unknown mandatory message type";
	case L2TP_ERR_MISSING_AVP:
		return "missing AVP";
	case L2TP_ERR_BUILD:
		return "build error";
	}
	return "unknown";
}

const char *
l2tp_msg_type_name(uint16_t type)
{
	static const char *const names[L2TP_MSG_MAX + 1] = {
		[L2TP_MSG_ZLB] = "ZLB",
		[L2TP_MSG_SCCRQ] = "SCCRQ",
		[L2TP_MSG_SCCRP] = "SCCRP",
		[L2TP_MSG_SCCCN] = "SCCCN",
		[L2TP_MSG_STOPCCN] = "StopCCN",
		[L2TP_MSG_HELLO] = "HELLO",
		[L2TP_MSG_OCRQ] = "OCRQ",
		[L2TP_MSG_OCRP] = "OCRP",
		[L2TP_MSG_OCCN] = "OCCN",
		[L2TP_MSG_ICRQ] = "ICRQ",
		[L2TP_MSG_ICRP] = "ICRP",
		[L2TP_MSG_ICCN] = "ICCN",
		[L2TP_MSG_CDN] = "CDN",
		[L2TP_MSG_WEN] = "WEN",
		[L2TP_MSG_SLI] = "SLI",
	};

	if (type > L2TP_MSG_MAX || names[type] == NULL)
		return "unknown";
	return names[type];
}

const char *
l2tp_avp_name(uint16_t vendor, uint16_t type)
{
	const struct l2tp_avp_def *d = l2tp_avp_def(vendor, type);

	if (d != NULL)
		return d->name;
	switch (vendor) {
	case L2TP_VENDOR_IETF:
		return "unknown";
	case L2TP_VENDOR_MICROSOFT:
		return "Microsoft vendor AVP";
	case L2TP_VENDOR_CISCO:
		return "Cisco vendor AVP";
	default:
		return "vendor AVP";
	}
}

const char *
l2tp_result_name(uint16_t msg_type, uint16_t code)
{
	/* RFC 2661 4.4.2 */
	static const char *const stopccn[] = {
		NULL, "general request to clear control connection",
		"general error", "control channel already exists",
		"requester is not authorized", "protocol version not "
		"supported", "requester is being shut down",
		"finite state machine error",
	};
	static const char *const cdn[] = {
		NULL, "lost carrier", "general error", "administrative",
		"no facilities available (temporary)",
		"no facilities available (permanent)", "invalid destination",
		"no carrier", "busy", "no dial tone", "timeout",
		"no appropriate framing",
	};

	if (msg_type == L2TP_MSG_STOPCCN &&
	    code < sizeof(stopccn) / sizeof(stopccn[0]) &&
	    stopccn[code] != NULL)
		return stopccn[code];
	if (msg_type == L2TP_MSG_CDN && code < sizeof(cdn) / sizeof(cdn[0]) &&
	    cdn[code] != NULL)
		return cdn[code];
	return "unknown";
}

const char *
l2tp_error_code_name(uint16_t code)
{
	/* RFC 2661 4.4.2: General Error Codes */
	static const char *const names[] = {
		"no general error", "no control connection",
		"length is wrong", "field value out of range",
		"insufficient resources", "invalid session id",
		"vendor-specific error", "try another LNS",
		"unknown mandatory AVP",
	};

	if (code < sizeof(names) / sizeof(names[0]))
		return names[code];
	return "unknown";
}
