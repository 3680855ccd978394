/* SPDX-License-Identifier: GPL-2.0 */
#ifndef NETFLOW_PARAMS_H
#define NETFLOW_PARAMS_H

/* Module parameters as given to insmod/modprobe (names and defaults of C ipt_NETFLOW). */
struct netflow_params {
	const char *destination;
	const char *aggregation;
	unsigned int protocol;
	unsigned int inactive_timeout;
	unsigned int active_timeout;
	unsigned int refresh_rate;
	unsigned int timeout_rate;
	unsigned int scan_min;
	unsigned int sndbuf;
	unsigned int hashsize;
	unsigned int maxflows;
	unsigned int engine_id;
	unsigned int debug;
};

/* Snapshot of the parameters; the strings live until the module is unloaded. */
void netflow_params_get(struct netflow_params *out);

#endif
