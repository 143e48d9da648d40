#!/bin/sh
# /init of the harness's tiny Linux: network up over DHCP, fetch the config
# named on the kernel command line, call the checkpoint, power off. Every
# step prints a VAQUERO-* marker on the console for the test to wait on.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
# Kernel messages would interleave with the config printed below.
echo 1 >/proc/sys/kernel/printk

for m in $(cat /lib/modules/load-order); do
  insmod "/lib/modules/$m.ko" || echo "VAQUERO-INSMOD-FAILED $m"
done
echo VAQUERO-TINY-LINUX-UP

fail() {
  echo "VAQUERO-FAILED $*"
  poweroff -f
}

# The NIC appears asynchronously after insmod (probe runs on a workqueue).
n=0
while [ ! -e /sys/class/net/eth0 ]; do
  n=$((n + 1))
  [ $n -gt 100 ] && fail "no eth0"
  sleep 0.1
done
ip link set lo up
udhcpc -i eth0 -s /etc/udhcpc.script -n -q -t 10 -T 2 >/dev/null || fail "no DHCP lease"
echo "VAQUERO-IP $(ip -4 -o addr show dev eth0 | awk '{print $4}')"

CONFIG=
CHECKPOINT=
for arg in $(cat /proc/cmdline); do
  case "$arg" in
    vaquero.config=*) CONFIG="${arg#vaquero.config=}" ;;
    vaquero.checkpoint=*) CHECKPOINT="${arg#vaquero.checkpoint=}" ;;
  esac
done

# busybox-static's `wget -T` segfaults (notes/test-environment.md): bound it with timeout instead.
if [ -n "$CONFIG" ]; then
  timeout 30 wget -q -O /tmp/config "$CONFIG" || fail "config fetch $CONFIG"
  echo VAQUERO-CONFIG-BEGIN
  cat /tmp/config
  # Always a newline before the end marker; the reader removes exactly one.
  echo
  echo VAQUERO-CONFIG-END
fi
if [ -n "$CHECKPOINT" ]; then
  timeout 30 wget -q -O /dev/null "$CHECKPOINT" || fail "checkpoint $CHECKPOINT"
  echo VAQUERO-CHECKPOINT-DONE
fi
echo VAQUERO-POWEROFF
poweroff -f
