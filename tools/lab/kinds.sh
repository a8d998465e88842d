# shellcheck shell=sh
# The fault kinds of the QEMU lab: for each, its model/TAXONOMY.md label, the
# evidence its log must show (an extended regex; a case without it is
# rejected), and what the guest does (lab_fault, a shell function the
# runner writes into the job file).  Sourced by run-case.sh.
#
# kind_setup KIND sets LABEL, EXPECT, FAULT_SH (the body of lab_fault) and
# optionally HOST_ACTION (done by the host once the guest is armed) and
# FS_CORRUPT (how the data disk is damaged).  It draws from rnd().

LAB_KINDS="null-deref bad-access use-after-free double-free redzone list-corruption
refcount stack-overflow stack-protector oom soft-lockup hung-task atomic-sleep
bug warn divide-error mce driver-timeout ext4-error init-killed sysrq"
# arm64 (LAB_ARCH=arm64): no divide trap (an integer division by zero
# gives 0) and no machine-check injection; an undefined instruction is
# its CPU-exception kind instead.
[ "${LAB_ARCH:-x86_64}" = arm64 ] && LAB_KINDS="null-deref bad-access use-after-free double-free
redzone list-corruption refcount stack-overflow stack-protector oom soft-lockup hung-task
atomic-sleep bug warn undefined-insn driver-timeout ext4-error init-killed sysrq"

# Deterministic generator (POSIX LCG), seeded from kind and seed so the
# same command regenerates the same cases on any shell.
rnd_init() {
	RND=$(( ($2 * 2654435761 + $(printf %s "$1" | cksum | cut -d' ' -f1)) % 2147483648 ))
}
# rnd N: sets R to a number in 0..N-1
rnd() {
	RND=$(( (RND * 1103515245 + 12345) % 2147483648 ))
	R=$(( (RND / 65536) % $1 ))
}
# pick WORD...: sets P to one of the words
pick() { rnd $#; shift $R; P=$1; }

# psop_sh OP VARIANT CTX ARG: a shell line that makes one request, written
# by a varied ordinary program (its comm shows up in the oops).
psop_sh() {
	rnd 4
	case $R in
	0) echo "psop $*" ;;
	1) echo "sh -c 'echo $* > /sys/kernel/debug/psdev/ctl'" ;;
	2) echo "echo '$*' | dd of=/sys/kernel/debug/psdev/ctl 2>/dev/null" ;;
	*) echo "echo '$*' | tee /sys/kernel/debug/psdev/ctl > /dev/null" ;;
	esac
}

# module_fault OP NVARIANTS CTXLIST: a request with a random variant,
# context and argument.
module_fault() {
	op=$1; nv=$2; shift 2
	rnd "$nv"; v=$R
	pick "$@"; ctx=$P
	rnd 100000; arg=$R
	FAULT_SH=$(psop_sh "$op" "$v" "$ctx" "$arg")
}

kind_setup() {
	HOST_ACTION=""
	FS_CORRUPT=""
	case $1 in
	null-deref)
		# arm64: "Unable to handle kernel NULL pointer dereference at ..."
		LABEL=null-deref; EXPECT='BUG: kernel NULL pointer dereference|Unable to handle kernel NULL pointer dereference'
		module_fault 41 3 0 0 1 2 3 ;;
	bad-access)
		LABEL=bad-access
		EXPECT='general protection fault|unable to handle page fault|unable to handle kernel paging request'
		EXPECT="$EXPECT|Unable to handle kernel (paging request|write to read-only memory|execute from non-executable memory|read from unreadable memory|access to user memory)"
		module_fault 17 3 0 0 1 2 3 ;;
	use-after-free)
		LABEL=memory-corruption; EXPECT='Poison overwritten'
		module_fault 58 2 0 0 1 2 3 ;;
	double-free)
		# (the second kfree of an object alone in its slab, seen on arm64:
		# "Slab has 0 allocated objects but 1 are to be freed")
		LABEL=memory-corruption; EXPECT='Object already free|double free|allocated objects but [0-9]+ are to be freed'
		module_fault 26 2 0 0 1 2 3 ;;
	redzone)
		LABEL=memory-corruption; EXPECT='Redzone overwritten'
		module_fault 63 2 0 0 1 2 3 ;;
	list-corruption)
		LABEL=memory-corruption; EXPECT='list_(add|del) corruption|list_add double add'
		module_fault 35 3 0 0 1 2 3 ;;
	refcount)
		LABEL=memory-corruption; EXPECT='refcount_t: '
		module_fault 12 3 0 0 1 2 3 ;;
	stack-overflow)
		LABEL=stack-corruption; EXPECT='stack guard page was hit|kernel stack overflow'
		module_fault 49 2 0 0 1 2 ;;
	stack-protector)
		LABEL=stack-corruption; EXPECT='stack-protector: Kernel stack is corrupted'
		module_fault 71 1 0 0 1 2 3 ;;
	oom)
		LABEL=out-of-memory; EXPECT='Out of memory|out of memory|deadlocked on memory'
		rnd 4
		case $R in
		0) pick /usr/bin/java /usr/bin/node /usr/sbin/mysqld /usr/bin/python3 /usr/local/bin/worker
		   rnd 4; FAULT_SH="$P hog $((256 << R)) &" ;;
		1) pick /usr/bin/java /usr/bin/node /usr/lib/postgresql/bin/postgres; a=$P
		   pick /usr/bin/python3 /usr/local/bin/worker /usr/sbin/mysqld; b=$P
		   FAULT_SH="$a hog 1024 & $b hog 4096 &" ;;
		2) FAULT_SH="mkdir -p /mnt/shm; mount -t tmpfs -o size=100% shm /mnt/shm; dd if=/dev/zero of=/mnt/shm/cache.bin bs=1M 2>/dev/null &" ;;
		*) module_fault 22 3 0 1 2 ;;
		esac ;;
	soft-lockup)
		LABEL=cpu-lockup; EXPECT='soft lockup - CPU#'
		module_fault 84 3 0 1 2 ;;
	hung-task)
		LABEL=hung-task; EXPECT='blocked for more than [0-9]+ seconds'
		rnd 3
		case $R in
		1) pick 0 1 2; rnd 1000; FAULT_SH="$(psop_sh 93 1 "$P" "$R") &" ;;
		*) rnd 1000; FAULT_SH="$(psop_sh 93 $((R % 2 * 2)) 0 "$R")" ;;
		esac ;;
	atomic-sleep)
		LABEL=locking; EXPECT='scheduling while atomic|sleeping function called from invalid context'
		module_fault 66 2 0 0 1 2 3
		# arm64's kernel has no PREEMPT_COUNT: a sleep under a plain
		# spin_lock (variant 0) goes unnoticed; under local_bh_disable
		# (variant 1) it is reported
		[ "${LAB_ARCH:-x86_64}" = arm64 ] && FAULT_SH=$(echo "$FAULT_SH" | sed 's/66 0 /66 1 /') ;;
	bug)
		LABEL=kernel-bug; EXPECT='kernel BUG at'
		module_fault 37 3 0 0 1 2 3 ;;
	warn)
		LABEL=kernel-bug; EXPECT='WARNING: CPU: '
		module_fault 55 3 0 0 1 2 3 ;;
	divide-error)
		LABEL=kernel-bug; EXPECT='divide error'
		module_fault 78 2 0 0 1 2 3 ;;
	undefined-insn)
		LABEL=kernel-bug; EXPECT='Oops - Undefined instruction|invalid opcode'
		module_fault 88 2 0 0 1 2 3 ;;
	mce)
		LABEL=hardware; EXPECT='[Mm]achine [Cc]heck'
		FAULT_SH="sleep 60"
		rnd 2; cpu=$R; rnd 4; bank=$((R + 1))
		pick 0xbe00000000800400 0xbe00000000800400 0xbd80000000100134 0xbf80000000000150; st=$P
		rnd 65536; addr=$(printf '0x%x' $((0x1000000 + R * 4096)))
		HOST_ACTION="mce $cpu $bank $st 0 $addr 0x86" ;;
	driver-timeout)
		LABEL=driver; EXPECT='NETDEV WATCHDOG|controller is down'
		rnd 3
		if [ "$R" -lt 2 ]; then
			rnd 3; FAULT_SH="$(psop_sh 44 0 0 $R); ping -c 30 -i 0.2 \$LAB_NET.0.$((R + 2)) > /dev/null 2>&1 &"
		else
			module_fault 29 2 0 0 1 2
		fi ;;
	ext4-error)
		LABEL=filesystem; EXPECT='EXT4-fs error'
		rnd 4; FS_CORRUPT=$R
		case $R in
		0) pick "cat /data/db/table3.dat" "md5sum /data/db/table3.dat" "cp /data/db/table3.dat /tmp/" ;;
		1) pick "ls -l /data/home/user" "cat /data/home/user/notes.txt" "find /data/home -type f" ;;
		2) pick "ls /data/db" "find /data/db -name '*.dat'" "du -s /data/db" ;;
		*) pick "cat /data/db/index.idx" "stat /data/db/index.idx" "wc -c /data/db/index.idx" ;;
		esac
		FAULT_SH="$P > /dev/null 2>&1" ;;
	init-killed)
		LABEL=boot-failure; EXPECT='Attempted to kill init'
		rnd 4
		case $R in
		0) rnd 120; FAULT_SH="exit $((R + 1))" ;;
		1) FAULT_SH="exec /sbin/init.real segv" ;;
		2) FAULT_SH="exec /sbin/init.real abort" ;;
		*) FAULT_SH="exec /sbin/init.new" ;;
		esac ;;
	sysrq)
		LABEL=manual; EXPECT='sysrq: Trigger a crash|SysRq : Trigger a crash'
		pick "echo c > /proc/sysrq-trigger" \
		     "sh -c 'echo c > /proc/sysrq-trigger'" \
		     "printf c | dd of=/proc/sysrq-trigger 2>/dev/null" \
		     "echo c | tee /proc/sysrq-trigger > /dev/null"
		FAULT_SH=$P ;;
	*)
		return 1 ;;
	esac
	return 0
}
