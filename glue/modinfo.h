/* SPDX-License-Identifier: GPL-2.0 */
#ifndef NETFLOW_MODINFO_H
#define NETFLOW_MODINFO_H
/* glue/modinfo.c: the module's version and srcversion, as modinfo and sysfs show them. */

/* MODULE_VERSION of this build (the tree's VERSION file); never NULL. */
const char *netflow_module_version(void);
/* The srcversion modpost computed over the sources (or "" if none); never NULL. */
const char *netflow_module_srcversion(void);

#endif
