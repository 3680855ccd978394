// SPDX-License-Identifier: GPL-2.0
/*
 * libxt_NETFLOW - iptables/ip6tables extension for the NETFLOW target.
 *
 * The kernel target carries no per-rule data (like C ipt_NETFLOW): all
 * settings (collectors, protocol, timeouts) are ipt_NETFLOW module
 * parameters / sysctls, so this extension has no options and no
 * print/save hooks: -L and iptables-save show just "-j NETFLOW".
 */
#include <stdio.h>
#include <xtables.h>

static void netflow_help(void)
{
	printf("NETFLOW target: accounts packets into flows and exports them "
	       "to the collectors set by the ipt_NETFLOW module\n"
	       "(destination=, protocol=, see /proc/net/stat/ipt_netflow). "
	       "No options.\n");
}

static struct xtables_target netflow_tg_reg = {
	.family		= NFPROTO_UNSPEC,
	.name		= "NETFLOW",
	.revision	= 0,
	.version	= XTABLES_VERSION,
	.size		= XT_ALIGN(0),
	.userspacesize	= XT_ALIGN(0),
	.help		= netflow_help,
};

void _init(void)
{
	xtables_register_target(&netflow_tg_reg);
}
