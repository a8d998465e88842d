// SPDX-License-Identifier: GPL-2.0-only OR Apache-2.0
/*
 * psdev - fault-injection driver of the panicsage QEMU lab.
 *
 * Debian's kernel has no LKDTM, so the lab brings this small module.  It
 * looks like an ordinary NIC-ish platform driver ("psnic") and does real
 * driver-like work (a netdev that carries traffic, slab objects, timers,
 * kthreads).  Writing "OP VARIANT CTX ARG" (decimal numbers) to
 * /sys/kernel/debug/psdev/ctl runs one request:
 *
 *   OP       an opaque number chosen by the lab runner; the fault kind never
 *            appears in a log line, a file name or a function name, so the
 *            crash log carries only the kernel's own evidence;
 *   VARIANT  selects one of several ways to produce the same fault;
 *   CTX      where it runs: 0 the writing task, 1 a workqueue, 2 a kthread
 *            bound to CPU (ARG & 1), 3 a timer (softirq);
 *   ARG      a size/offset/seed the variant uses.
 *
 * Every fault happens inside psdev_process() or a helper with a neutral
 * name, so the function names in the call traces are the same for all kinds.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/debugfs.h>
#include <linux/slab.h>
#include <linux/list.h>
#include <linux/refcount.h>
#include <linux/kthread.h>
#include <linux/workqueue.h>
#include <linux/timer.h>
#include <linux/delay.h>
#include <linux/spinlock.h>
#include <linux/mutex.h>
#include <linux/semaphore.h>
#include <linux/completion.h>
#include <linux/netdevice.h>
#include <linux/etherdevice.h>
#include <linux/platform_device.h>
#include <linux/vmalloc.h>
#include <linux/gfp.h>
#include <linux/uaccess.h>

/* Opaque request numbers (the runner's table maps fault kinds to these). */
enum {
	OP_NOISE = 3,
	OP_NULL = 41, OP_BADPTR = 17, OP_UAF = 58, OP_DFREE = 26, OP_REDZONE = 63,
	OP_LIST = 35, OP_REFCNT = 12, OP_RECURSE = 49, OP_CANARY = 71,
	OP_KALLOC = 22, OP_SPIN = 84, OP_BLOCK = 93, OP_ATOMIC = 66,
	OP_ASSERT = 37, OP_WARN = 55, OP_DIVIDE = 78, OP_FW = 29, OP_TXSTALL = 44,
	OP_OPCODE = 88,
};

struct psdev_req {
	unsigned int op, variant, ctx;
	unsigned long arg;
	struct work_struct work;
	struct timer_list timer;
};

struct psdev_ring {
	u64 head, tail;
	struct psdev_ring *next;
	void (*kick)(struct psdev_ring *r);
	u32 stats[16];
};

struct psdev_desc {
	struct list_head node;
	refcount_t ref;
	u32 id, len;
	u8 data[40];
};

static struct platform_device *psdev_pdev;
static struct net_device *psdev_ndev;
static struct dentry *psdev_dir;
static bool psdev_tx_stall;
static unsigned int psdev_tx_resets;	/* failed resets tolerated before giving up */
static DEFINE_SPINLOCK(psdev_lock);
static DEFINE_MUTEX(psdev_cfg_lock);
static DEFINE_MUTEX(psdev_io_lock);
static DEFINE_SEMAPHORE(psdev_sem);
static DECLARE_COMPLETION(psdev_done);
static LIST_HEAD(psdev_pool);
static struct psdev_ring *volatile psdev_active;	/* never set: stays NULL */
static struct psdev_ring psdev_ring0;			/* kick stays NULL */
static const u32 psdev_fw_table[64] = { 0x31, 0x7f, 0x1c, 0x02 };
static volatile unsigned int psdev_zero;
static volatile u64 psdev_sink;			/* keeps reads from being optimised away */
static volatile bool psdev_stop;
static volatile unsigned long psdev_max_depth = ~0UL;
#if defined(__aarch64__)
static void *psdev_hold[4096];
#endif

/* Recursion with a fixed frame; three sizes so traces differ per variant. */
static noinline unsigned long psdev_walk_a(unsigned long depth, unsigned long seed);
static noinline unsigned long psdev_walk_b(unsigned long depth, unsigned long seed)
{
	volatile u8 frame[200];

	if (depth > psdev_max_depth)
		return 0;
	frame[depth % sizeof(frame)] = (u8)seed;
	return psdev_walk_a(depth + 1, seed ^ depth) + frame[(seed + 7) % sizeof(frame)];
}

static noinline unsigned long psdev_walk_a(unsigned long depth, unsigned long seed)
{
	volatile u8 frame[328];

	if (depth > psdev_max_depth)
		return 0;
	frame[depth % sizeof(frame)] = (u8)depth;
	if (seed & 1)
		return psdev_walk_b(depth + 1, seed) + frame[seed % sizeof(frame)];
	return psdev_walk_a(depth + 1, seed) + frame[(seed >> 3) % sizeof(frame)];
}

static noinline unsigned long psdev_parse_tlv(unsigned long depth, unsigned long seed)
{
	volatile u8 frame[712];

	if (depth > psdev_max_depth)
		return 0;
	frame[(depth * 13) % sizeof(frame)] = (u8)seed;
	return psdev_parse_tlv(depth + 1, seed) + frame[(depth + seed) % sizeof(frame)];
}

/* Copies a descriptor into a stack buffer without checking its length. */
static noinline u32 psdev_fill_desc(unsigned int len, u8 pattern)
{
	char desc[48];
	volatile char *p = desc;
	unsigned int i;
	u32 sum = 0;

	for (i = 0; i < len; i++)
		p[i] = (char)(pattern + i);
	for (i = 0; i < sizeof(desc); i++)
		sum += (u8)p[i];
	return sum;
}

static noinline void psdev_check_state(unsigned int state, unsigned int variant)
{
	switch (variant % 3) {
	case 0:
		BUG_ON(state != 0);
		break;
	case 1:
		if (state > 2)
			BUG();
		break;
	default:
		BUG_ON(list_empty(&psdev_pool) || state);
		break;
	}
}

static noinline void psdev_validate(unsigned int state, unsigned int variant)
{
	switch (variant % 3) {
	case 0:
		WARN_ON(state != 0);
		break;
	case 1:
		WARN(1, "psnic: descriptor ring %u in unexpected state %#x\n",
		     variant & 7, state);
		break;
	default:
		WARN_ON_ONCE(state > 1);
		break;
	}
}

static int psdev_hold_fn(void *data)
{
	struct mutex *first = data;
	struct mutex *second = first == &psdev_cfg_lock ? &psdev_io_lock : &psdev_cfg_lock;

	mutex_lock(first);
	msleep(200);
	mutex_lock(second);	/* the other thread holds it: ABBA */
	mutex_unlock(second);
	mutex_unlock(first);
	return 0;
}

static int psdev_owner_fn(void *data)
{
	down(&psdev_sem);
	while (!kthread_should_stop())
		msleep_interruptible(1000);	/* never gives the semaphore back */
	return 0;
}

static void psdev_kalloc(unsigned long arg)
{
	unsigned int order = arg % 3;
	LIST_HEAD(hold);

	for (;;) {
		struct page *pg = alloc_pages(GFP_KERNEL, order);

		if (!pg)
			msleep(1);
		else
			list_add(&pg->lru, &hold);
		cond_resched();
	}
}

/* Run one request; this is where every fault of the lab happens. */
static noinline void psdev_process(struct psdev_req *r, bool atomic)
{
	gfp_t gfp = atomic ? GFP_ATOMIC : GFP_KERNEL;
	unsigned long arg = r->arg;
	size_t sz = 16UL << (arg % 7);		/* 16 .. 1024 bytes */
	u8 *obj, *obj2;
	struct psdev_desc *d, *e;
	unsigned long flags;

	switch (r->op) {
	case OP_NOISE:
		obj = kmalloc(sz, gfp);
		if (obj) {
			d = kzalloc(sizeof(*d), gfp);
			kfree(obj);
			if (d) {
				refcount_set(&d->ref, 1);
				d->id = arg;
				spin_lock_irqsave(&psdev_lock, flags);
				list_add_tail(&d->node, &psdev_pool);
				spin_unlock_irqrestore(&psdev_lock, flags);
			}
		}
		break;
	case OP_NULL:
		switch (r->variant % 3) {
		case 0:
			psdev_sink = READ_ONCE(psdev_active->stats[arg % 16]);
			break;
		case 1:
			WRITE_ONCE(psdev_active->tail, arg);
			break;
		default:
			psdev_ring0.kick(&psdev_ring0);
			break;
		}
		break;
	case OP_BADPTR:
		switch (r->variant % 3) {
		case 0: {
			u64 *p = (u64 *)(0x5a5a5a5a5a5a5a00UL + ((arg & 0xff) << 3) +
					 ((arg & 0x7) << 52));
			psdev_sink = READ_ONCE(*p);
			break;
		}
		case 1:
			obj = vmalloc(PAGE_SIZE * (1 + arg % 4));
			if (obj)
				psdev_sink = READ_ONCE(obj[PAGE_SIZE * (1 + arg % 4) + (arg % 64)]);
			break;
		default:
			WRITE_ONCE(*(u32 *)&psdev_fw_table[arg % 64], 0xdeadbeef);
			break;
		}
		break;
	case OP_UAF:
		obj = kmalloc(sz, gfp);
		if (!obj)
			break;
		memset(obj, 0x11, sz);
		kfree(obj);
		obj[(arg >> 3) % sz] = 0x5c;		/* write after free */
		if (r->variant & 1)
			((u32 *)obj)[0] = 0;
#if defined(__aarch64__)
		/* arm64's kmalloc caches (128-byte minimum alignment) do not
		 * hand the freed object straight back: hold what they give
		 * until it comes back (slub_debug checks its poison then) */
		for (arg = 0; arg < ARRAY_SIZE(psdev_hold); arg++) {
			obj2 = kmalloc(sz, gfp);
			psdev_hold[arg] = obj2;
			if (!obj2 || obj2 == obj)
				break;
		}
		while (arg-- > 0)
			kfree(psdev_hold[arg]);
#else
		for (arg = 0; arg < 64; arg++) {
			obj2 = kmalloc(sz, gfp);	/* slub_debug checks the poison */
			if (!obj2)
				break;
			kfree(obj2);
		}
#endif
		break;
	case OP_DFREE:
		obj = kmalloc(sz, gfp);
		if (!obj)
			break;
		obj2 = (r->variant & 1) ? kmalloc(sz, gfp) : NULL;
		kfree(obj);
		kfree(obj2);
		kfree(obj);				/* second free of the same object */
		break;
	case OP_REDZONE:
		obj = kmalloc(sz, gfp);
		if (!obj)
			break;
		if (r->variant & 1)
			((volatile u8 *)obj)[-1 - (long)(arg % 4)] = 0x00;	/* left redzone */
		else
			((volatile u8 *)obj)[sz + (arg % 4)] = 0x00;	/* right redzone */
		kfree(obj);
		break;
	case OP_LIST:
		d = kzalloc(sizeof(*d), gfp);
		e = kzalloc(sizeof(*e), gfp);
		if (!d || !e)
			break;
		spin_lock_irqsave(&psdev_lock, flags);
		list_add_tail(&d->node, &psdev_pool);
		list_add_tail(&e->node, &psdev_pool);
		switch (r->variant % 3) {
		case 0:
			list_del(&d->node);
			list_del(&d->node);
			break;
		case 1:
			list_add(&e->node, e->node.prev);	/* add it again where it is */
			break;
		default:
			d->node.next->prev = (struct list_head *)((unsigned long)d + 0x40 + (arg % 8) * 8);
			list_del(&d->node);
			break;
		}
		spin_unlock_irqrestore(&psdev_lock, flags);
		break;
	case OP_REFCNT:
		d = kzalloc(sizeof(*d), gfp);
		if (!d)
			break;
		refcount_set(&d->ref, 1);
		switch (r->variant % 3) {
		case 0:
			if (refcount_dec_and_test(&d->ref))
				d->len = 0;
			if (refcount_dec_and_test(&d->ref))
				kfree(d);
			break;
		case 1:
			refcount_set(&d->ref, 0);
			refcount_inc(&d->ref);
			break;
		default:
			refcount_dec(&d->ref);
			break;
		}
		break;
	case OP_RECURSE:
		if (r->variant % 2)
			psdev_parse_tlv(0, arg);
		else
			psdev_walk_a(0, arg);
		break;
	case OP_CANARY:
		psdev_fill_desc(48 + 8 + (arg % 48), (u8)arg);
		break;
	case OP_KALLOC:
		psdev_kalloc(arg);
		break;
	case OP_SPIN:
		switch (r->variant % 3) {
		case 0:
			spin_lock(&psdev_lock);
			spin_lock(&psdev_lock);		/* self deadlock */
			break;
		case 1:
			preempt_disable();
			while (!READ_ONCE(psdev_stop))
				cpu_relax();
			preempt_enable();
			break;
		default:
			spin_lock_bh(&psdev_lock);
			while (!READ_ONCE(psdev_stop))
				udelay(100);
			spin_unlock_bh(&psdev_lock);
			break;
		}
		break;
	case OP_BLOCK:
		switch (r->variant % 3) {
		case 0:
			kthread_run(psdev_hold_fn, &psdev_cfg_lock, "psnic-cfg");
			kthread_run(psdev_hold_fn, &psdev_io_lock, "psnic-io");
			break;
		case 1:
			wait_for_completion(&psdev_done);	/* nobody completes it */
			break;
		default:
			kthread_run(psdev_owner_fn, NULL, "psnic-fw");
			msleep(100);
			down(&psdev_sem);
			up(&psdev_sem);
			break;
		}
		break;
	case OP_ATOMIC:
		switch (atomic ? 2 : r->variant % 2) {
		case 0:
			spin_lock(&psdev_lock);
			msleep(1 + arg % 20);
			spin_unlock(&psdev_lock);
			break;
		case 1:
			local_bh_disable();
			msleep(1 + arg % 20);
			local_bh_enable();
			break;
		default:
			msleep(1 + arg % 20);		/* in a timer callback */
			break;
		}
		break;
	case OP_ASSERT:
		psdev_check_state(1 + arg % 5, r->variant);
		break;
	case OP_WARN:
		psdev_validate(2 + arg % 7, r->variant);
		break;
	case OP_DIVIDE:
		if (r->variant & 1)
			psdev_sink = (arg * 1000) / psdev_zero;
		else
			psdev_sink = (unsigned int)arg / psdev_zero;
		break;
	case OP_OPCODE:
		/* an instruction the CPU does not define (arm64 has no divide
		 * trap; this is its "other CPU exception") */
#if defined(__aarch64__)
		if (r->variant & 1)
			asm volatile(".inst 0x00000000");	/* UDF #0 */
		else
			asm volatile(".inst 0x0000dead");	/* UDF #0xdead */
#elif defined(__x86_64__)
		asm volatile("ud2");
#endif
		break;
	case OP_FW:
		if (!psdev_pdev)
			break;
		dev_warn(&psdev_pdev->dev, "firmware heartbeat lost (last seq %lu)\n", arg * 7 + 1);
		dev_err(&psdev_pdev->dev, "controller is down; will reset\n");
		mdelay(50 + arg % 200);
		dev_err(&psdev_pdev->dev, "reset failed: timeout waiting for ready (csts %#lx)\n",
			0x8000UL | (arg & 0xff));
		if (r->variant & 1)
			panic("psnic %s: fatal controller error, firmware crashed\n",
			      dev_name(&psdev_pdev->dev));
		panic("psnic: hardware unresponsive after reset, cannot recover\n");
		break;
	case OP_TXSTALL:
		psdev_tx_resets = arg % 3;
		WRITE_ONCE(psdev_tx_stall, true);
		break;
	default:
		break;
	}
}

static void psdev_work_fn(struct work_struct *w)
{
	struct psdev_req *r = container_of(w, struct psdev_req, work);

	psdev_process(r, false);
	kfree(r);
}

static void psdev_timer_fn(struct timer_list *t)
{
	struct psdev_req *r = from_timer(r, t, timer);

	psdev_process(r, true);
}

static int psdev_thread_fn(void *data)
{
	struct psdev_req *r = data;

	psdev_process(r, false);
	kfree(r);
	while (!kthread_should_stop())
		msleep_interruptible(1000);
	return 0;
}

static ssize_t psdev_ctl_write(struct file *f, const char __user *ubuf,
			       size_t len, loff_t *off)
{
	char buf[96];
	struct psdev_req *r;
	struct task_struct *t;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	if (sscanf(buf, "%u %u %u %lu", &r->op, &r->variant, &r->ctx, &r->arg) != 4) {
		kfree(r);
		return -EINVAL;
	}
	switch (r->ctx) {
	case 1:
		INIT_WORK(&r->work, psdev_work_fn);
		schedule_work(&r->work);
		break;
	case 2:
		t = kthread_create(psdev_thread_fn, r, "psnic/%lu", r->arg & 1);
		if (IS_ERR(t)) {
			kfree(r);
			return PTR_ERR(t);
		}
		kthread_bind(t, r->arg & 1);
		wake_up_process(t);
		break;
	case 3:
		timer_setup(&r->timer, psdev_timer_fn, 0);	/* r is leaked on purpose */
		mod_timer(&r->timer, jiffies + 1 + r->arg % 5);
		break;
	default:
		psdev_process(r, false);
		kfree(r);
		break;
	}
	return len;
}

static const struct file_operations psdev_ctl_fops = {
	.owner = THIS_MODULE,
	.write = psdev_ctl_write,
	.llseek = no_llseek,
};

/* A minimal NIC: carries traffic (and drops it) until told to stall. */
static netdev_tx_t psdev_xmit(struct sk_buff *skb, struct net_device *dev)
{
	if (READ_ONCE(psdev_tx_stall)) {
		netif_stop_queue(dev);		/* and never wake it again */
		dev_kfree_skb_any(skb);
		return NETDEV_TX_OK;
	}
	dev->stats.tx_packets++;
	dev->stats.tx_bytes += skb->len;
	dev_kfree_skb_any(skb);
	return NETDEV_TX_OK;
}

static int psdev_open(struct net_device *dev)
{
	netif_carrier_on(dev);
	netif_start_queue(dev);
	return 0;
}

static int psdev_stop_dev(struct net_device *dev)
{
	netif_stop_queue(dev);
	netif_carrier_off(dev);
	return 0;
}

/* Called by the kernel's netdev watchdog ("NETDEV WATCHDOG: ... transmit
 * queue N timed out").  The stalled controller never comes back from its
 * reset; after a few tries the driver gives up. */
static void psdev_tx_timeout(struct net_device *dev, unsigned int txq)
{
	netdev_err(dev, "tx queue %u hung, resetting controller\n", txq);
	if (!READ_ONCE(psdev_tx_stall))
		return;
	netdev_err(dev, "reset failed: controller not ready (csts %#x)\n", 0x8001 | (txq << 4));
	if (psdev_tx_resets-- == 0)
		panic("%s: controller reset failed, TX path dead\n", dev->name);
}

static const struct net_device_ops psdev_netdev_ops = {
	.ndo_open = psdev_open,
	.ndo_stop = psdev_stop_dev,
	.ndo_start_xmit = psdev_xmit,
	.ndo_tx_timeout = psdev_tx_timeout,
	.ndo_set_mac_address = eth_mac_addr,
	.ndo_validate_addr = eth_validate_addr,
};

static int psdev_probe(struct platform_device *pdev)
{
	struct net_device *ndev = alloc_etherdev(0);
	int err;

	if (!ndev)
		return -ENOMEM;
	SET_NETDEV_DEV(ndev, &pdev->dev);
	ndev->netdev_ops = &psdev_netdev_ops;
	ndev->watchdog_timeo = 2 * HZ;
	eth_hw_addr_random(ndev);
	err = register_netdev(ndev);
	if (err) {
		free_netdev(ndev);
		return err;
	}
	psdev_ndev = ndev;
	dev_info(&pdev->dev, "%s: registered, MAC %pM, 1 tx queue\n", ndev->name, ndev->dev_addr);
	return 0;
}

static int psdev_remove(struct platform_device *pdev)
{
	if (psdev_ndev) {
		unregister_netdev(psdev_ndev);
		free_netdev(psdev_ndev);
		psdev_ndev = NULL;
	}
	return 0;
}

static struct platform_driver psdev_driver = {
	.probe = psdev_probe,
	.remove = psdev_remove,
	.driver = { .name = "psnic" },
};

static int __init psdev_init(void)
{
	int err = platform_driver_register(&psdev_driver);

	if (err)
		return err;
	psdev_pdev = platform_device_register_simple("psnic", 0, NULL, 0);
	if (IS_ERR(psdev_pdev)) {
		err = PTR_ERR(psdev_pdev);
		psdev_pdev = NULL;
		platform_driver_unregister(&psdev_driver);
		return err;
	}
	psdev_dir = debugfs_create_dir("psdev", NULL);
	debugfs_create_file("ctl", 0200, psdev_dir, NULL, &psdev_ctl_fops);
	return 0;
}

static void __exit psdev_exit(void)
{
	debugfs_remove_recursive(psdev_dir);
	platform_device_unregister(psdev_pdev);
	platform_driver_unregister(&psdev_driver);
}

module_init(psdev_init);
module_exit(psdev_exit);
MODULE_DESCRIPTION("psnic test NIC driver (panicsage lab)");
MODULE_LICENSE("GPL");
