// SPDX-License-Identifier: GPL-2.0
/*
 * Module parameters. 6.12's Rust `module!` has no parameter support, so the
 * declarations live here, in C, and Rust reads a snapshot at init. The kernel's
 * parameter parser refuses malformed numbers itself, naming the parameter;
 * strings are validated by the Rust side at init, which fails insmod on error.
 */
#include <linux/moduleparam.h>
#include <linux/module.h>
#include "params.h"

static char *destination = "127.0.0.1:2055";
module_param(destination, charp, 0444);
MODULE_PARM_DESC(destination, "export destinations: addr:port[@src],... (default 127.0.0.1:2055)");

static char *aggregation = "";
module_param(aggregation, charp, 0444);
MODULE_PARM_DESC(aggregation, "aggregation rules: net/M=N and port[-port]=port, comma separated");

static unsigned int protocol = 5;
module_param(protocol, uint, 0444);
MODULE_PARM_DESC(protocol, "export protocol: 5 (NetFlow v5), 9 (NetFlow v9) or 10 (IPFIX)");

static unsigned int inactive_timeout = 15;
module_param(inactive_timeout, uint, 0444);
MODULE_PARM_DESC(inactive_timeout, "export a flow idle this many seconds (default 15)");

static unsigned int active_timeout = 1800;
module_param(active_timeout, uint, 0444);
MODULE_PARM_DESC(active_timeout, "export a flow active this many seconds (default 1800)");

static unsigned int refresh_rate = 20;
module_param(refresh_rate, uint, 0444);
MODULE_PARM_DESC(refresh_rate, "v9/IPFIX: re-send templates every this many PDUs (default 20)");

static unsigned int timeout_rate = 30;
module_param(timeout_rate, uint, 0444);
MODULE_PARM_DESC(timeout_rate, "v9/IPFIX: re-send templates every this many minutes (default 30)");

static unsigned int scan_min = 1;
module_param(scan_min, uint, 0444);
MODULE_PARM_DESC(scan_min, "minimal interval between flow table scans, in jiffies (default 1)");

static unsigned int sndbuf;
module_param(sndbuf, uint, 0444);
MODULE_PARM_DESC(sndbuf, "export socket send buffer in bytes (default: system default)");

static unsigned int hashsize;
module_param(hashsize, uint, 0444);
MODULE_PARM_DESC(hashsize, "hash table buckets (default 0: sized from memory)");

static unsigned int maxflows = 2000000;
module_param(maxflows, uint, 0444);
MODULE_PARM_DESC(maxflows, "maximum flows accounted, 0 = unlimited (default 2000000)");

static unsigned int engine_id;
module_param(engine_id, uint, 0444);
MODULE_PARM_DESC(engine_id, "v5 engine id, v9 source id, IPFIX observation domain (default 0)");

static unsigned int debug;
module_param(debug, uint, 0444);
MODULE_PARM_DESC(debug, "debug verbosity 0..3 (default 0)");

void netflow_params_get(struct netflow_params *out)
{
	*out = (struct netflow_params){
		.destination = destination,
		.aggregation = aggregation,
		.protocol = protocol,
		.inactive_timeout = inactive_timeout,
		.active_timeout = active_timeout,
		.refresh_rate = refresh_rate,
		.timeout_rate = timeout_rate,
		.scan_min = scan_min,
		.sndbuf = sndbuf,
		.hashsize = hashsize,
		.maxflows = maxflows,
		.engine_id = engine_id,
		.debug = debug,
	};
}
