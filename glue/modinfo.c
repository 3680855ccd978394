// SPDX-License-Identifier: GPL-2.0
/*
 * Module metadata that 6.12's Rust module! cannot give: a version (which also makes
 * modpost record a srcversion) and the IPv6 alias. xtables asks for a target's module
 * by "<prefix>t_<name>" (net/netfilter/x_tables.c, xt_request_find_target): "ipt_NETFLOW"
 * for iptables is the module's own name, "ip6t_NETFLOW" for ip6tables is this alias.
 */
#include <linux/module.h>
#include "modinfo.h"

#ifndef NETFLOW_VERSION
#error "NETFLOW_VERSION is defined by Kbuild from the VERSION file"
#endif

MODULE_VERSION(NETFLOW_VERSION);
MODULE_ALIAS("ip6t_NETFLOW");

const char *netflow_module_version(void)
{
	return THIS_MODULE->version ?: NETFLOW_VERSION;
}

const char *netflow_module_srcversion(void)
{
	return THIS_MODULE->srcversion ?: "";
}
