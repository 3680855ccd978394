// SPDX-License-Identifier: GPL-2.0
/*
 * C helpers for static inline functions and macros Rust cannot call directly.
 * One line each: no logic lives here.
 */
#include <linux/rcupdate.h>
#include <linux/bottom_half.h>
#include <linux/preempt.h>
#include <linux/percpu.h>
#include <linux/cpumask.h>
#include <linux/slab.h>
#include <linux/jiffies.h>
#include <linux/timekeeping.h>
#include <linux/mm.h>
#include <linux/ratelimit.h>
#include <linux/memcontrol.h>
#include <linux/sched/mm.h>
#include <net/netns/generic.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/smp.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/netlink.h>
#include <net/netfilter/nf_conntrack_ecache.h>
#include "bindings.h"

void netflow_rcu_read_lock(void) { rcu_read_lock(); }
void netflow_rcu_read_unlock(void) { rcu_read_unlock(); }
bool netflow_softirqs_off(void) { return softirq_count() != 0; }
void netflow_local_bh_disable(void) { local_bh_disable(); }
void netflow_local_bh_enable(void) { local_bh_enable(); }

void __percpu *netflow_alloc_percpu(size_t size, size_t align) { return __alloc_percpu(size, align); }
void *netflow_this_cpu_ptr(void __percpu *ptr) { return this_cpu_ptr(ptr); }
void *netflow_per_cpu_ptr(void __percpu *ptr, int cpu) { return per_cpu_ptr(ptr, cpu); }

int netflow_next_possible_cpu(int cpu)
{
	unsigned int next = cpumask_next(cpu, cpu_possible_mask);

	return next < nr_cpu_ids ? next : -1;
}

struct kmem_cache *netflow_kmem_cache_create(const char *name, unsigned int size,
					     unsigned int align)
{
	return kmem_cache_create(name, size, align, SLAB_NO_MERGE | SLAB_ACCOUNT, NULL);
}

void *netflow_kmem_cache_alloc_atomic(struct kmem_cache *cache)
{
	return kmem_cache_alloc(cache, GFP_ATOMIC | __GFP_NOWARN);
}

void netflow_init_delayed_work(struct delayed_work *dw, work_func_t fn)
{
	INIT_DELAYED_WORK(dw, fn);
}

bool netflow_queue_delayed_work(struct delayed_work *dw, unsigned long delay)
{
	return queue_delayed_work(system_unbound_wq, dw, delay);
}

/* On a CPU-bound workqueue: an unbound one takes the CPU only as a hint. */
bool netflow_queue_delayed_work_on(int cpu, struct delayed_work *dw, unsigned long delay)
{
	return queue_delayed_work_on(cpu, system_wq, dw, delay);
}

unsigned int netflow_hz(void) { return HZ; }
unsigned long long netflow_ktime_get_real_ms(void) { return ktime_get_real_ns() / NSEC_PER_MSEC; }
unsigned long long netflow_ktime_get_boot_ms(void) { return ktime_get_boottime_ns() / NSEC_PER_MSEC; }
unsigned long long netflow_ktime_get_ns(void) { return ktime_get_ns(); }
unsigned long netflow_totalram_pages(void) { return totalram_pages(); }

/* glue/udp.rs */
int netflow_sk_wmem_alloc_get(const struct sock *sk) { return sk_wmem_alloc_get(sk); }
int netflow_sock_error(struct sock *sk) { return sock_error(sk); }
int netflow_sock_min_sndbuf(void) { return SOCK_MIN_SNDBUF; }

/* glue/netlink.rs: NETLINK_NO_ENOBUFS, as a listener that counts its drops sets it. */
int netflow_netlink_no_enobufs(struct socket *sock)
{
	int one = 1;

	return sock->ops->setsockopt(sock, SOL_NETLINK, NETLINK_NO_ENOBUFS,
				     KERNEL_SOCKPTR(&one), sizeof(one));
}
int netflow_sk_drops(const struct sock *sk) { return atomic_read(&sk->sk_drops); }
int netflow_sk_rmem_alloc_get(const struct sock *sk) { return sk_rmem_alloc_get(sk); }
int netflow_sock_min_rcvbuf(void) { return SOCK_MIN_RCVBUF; }

/* glue/conntrack.rs: only tested for NULL, never dereferenced or set. */
bool netflow_ct_events_delivered(const struct net *net)
{
#ifdef CONFIG_NF_CONNTRACK_EVENTS
	return rcu_access_pointer(net->ct.nf_conntrack_event_cb) != NULL;
#else
	return false;
#endif
}

/* glue/proc.rs */
bool netflow_seq_has_overflowed(struct seq_file *m) { return seq_has_overflowed(m); }

/* Debug messages: at most 10 every 5 seconds, so debug on a busy box cannot lock it up. */
static DEFINE_RATELIMIT_STATE(netflow_debug_rs, 5 * HZ, 10);
bool netflow_debug_ratelimit(void) { return __ratelimit(&netflow_debug_rs); }

/* glue/pernet.rs */
void *netflow_net_generic(const struct net *net, unsigned int id) { return net_generic(net, id); }

/* glue/memcg.rs */
struct mem_cgroup *netflow_memcg_of_current(void) { return get_mem_cgroup_from_mm(current->mm); }
void netflow_memcg_put(struct mem_cgroup *memcg) { mem_cgroup_put(memcg); }
struct mem_cgroup *netflow_set_active_memcg(struct mem_cgroup *memcg) { return set_active_memcg(memcg); }

/* glue/sched.rs */
void netflow_cond_resched(void) { cond_resched(); }

/* glue/params.rs */
/* Whether the module's parameters are in sysfs yet: before, a parameter's value can only
 * come from the load arguments (parse_args runs before the sysfs files exist). */
bool netflow_params_in_sysfs(void) { return THIS_MODULE->mkobj.mp != NULL; }
void netflow_param_lock(void) { kernel_param_lock(THIS_MODULE); }
void netflow_param_unlock(void) { kernel_param_unlock(THIS_MODULE); }

/* glue/cpu.rs */
bool netflow_cpu_online(unsigned int cpu) { return cpu < nr_cpu_ids && cpu_online(cpu); }
unsigned int netflow_current_cpu(void) { return raw_smp_processor_id(); }

/* glue/proc_seq.rs */
void *netflow_pde_data(const struct inode *inode) { return pde_data(inode); }
void *netflow_seq_private(struct file *file) { return ((struct seq_file *)file->private_data)->private; }

const struct dst_entry *netflow_skb_dst(const struct sk_buff *skb) { return skb_dst(skb); }
