/* SPDX-License-Identifier: GPL-2.0 */
#ifndef NETFLOW_HELPERS_H
#define NETFLOW_HELPERS_H
/* Prototypes of glue/helpers.c: wrappers of static inline functions and macros. */
#include <linux/workqueue.h>

struct kmem_cache;

void netflow_rcu_read_lock(void);
void netflow_rcu_read_unlock(void);
bool netflow_softirqs_off(void);
#if defined(CONFIG_X86_64) && defined(CONFIG_SMP) && !defined(CONFIG_PREEMPT_RT)
#include <linux/preempt.h>
#include <asm/current.h>
/* glue/bh.rs reads the softirq bits of pcpu_hot.preempt_count inline. */
enum {
	NETFLOW_PREEMPT_COUNT_OFFSET = offsetof(struct pcpu_hot, preempt_count),
	NETFLOW_SOFTIRQ_MASK = SOFTIRQ_MASK,
};
#endif
void netflow_local_bh_disable(void);
void netflow_local_bh_enable(void);

void __percpu *netflow_alloc_percpu(size_t size, size_t align);
void *netflow_this_cpu_ptr(void __percpu *ptr);
void *netflow_per_cpu_ptr(void __percpu *ptr, int cpu);
/* Next possible CPU after @cpu (-1 to start), or -1 at the end. */
int netflow_next_possible_cpu(int cpu);

struct kmem_cache *netflow_kmem_cache_create(const char *name, unsigned int size,
					     unsigned int align);
void *netflow_kmem_cache_alloc_atomic(struct kmem_cache *cache);

void netflow_init_delayed_work(struct delayed_work *dw, work_func_t fn);
bool netflow_queue_delayed_work(struct delayed_work *dw, unsigned long delay);

unsigned int netflow_hz(void);
unsigned long long netflow_ktime_get_real_ms(void);
unsigned long long netflow_ktime_get_boot_ms(void);
unsigned long long netflow_ktime_get_ns(void);
unsigned long netflow_totalram_pages(void);
bool netflow_debug_ratelimit(void);

/* glue/udp.rs */
struct sock;
int netflow_sk_wmem_alloc_get(const struct sock *sk);
int netflow_sock_error(struct sock *sk);
int netflow_sock_min_sndbuf(void);

/* glue/netlink.rs */
struct socket;
struct net;
int netflow_netlink_no_enobufs(struct socket *sock);
int netflow_sk_drops(const struct sock *sk);
int netflow_sk_rmem_alloc_get(const struct sock *sk);
int netflow_sock_min_rcvbuf(void);

/* glue/conntrack.rs */
bool netflow_ct_events_delivered(const struct net *net);

/* glue/proc.rs */
struct seq_file;
bool netflow_seq_has_overflowed(struct seq_file *m);

/* glue/pernet.rs */
struct net;
void *netflow_net_generic(const struct net *net, unsigned int id);

/* glue/memcg.rs */
struct mem_cgroup;
struct mem_cgroup *netflow_memcg_of_current(void);
void netflow_memcg_put(struct mem_cgroup *memcg);
struct mem_cgroup *netflow_set_active_memcg(struct mem_cgroup *memcg);

/* glue/sched.rs */
void netflow_cond_resched(void);

/* glue/params.rs */
bool netflow_params_in_sysfs(void);
void netflow_param_lock(void);
void netflow_param_unlock(void);

/* glue/cpu.rs */
bool netflow_cpu_online(unsigned int cpu);
unsigned int netflow_current_cpu(void);

/* glue/work.rs */
bool netflow_queue_delayed_work_on(int cpu, struct delayed_work *dw, unsigned long delay);

/* glue/proc_seq.rs */
struct inode;
struct file;
void *netflow_pde_data(const struct inode *inode);
void *netflow_seq_private(struct file *file);

/* glue/skb.rs */
struct sk_buff;
struct dst_entry;
const struct dst_entry *netflow_skb_dst(const struct sk_buff *skb);

#endif
