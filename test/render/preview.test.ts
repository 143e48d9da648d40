import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { EXAMPLES_SOT, LAB_SOT, VAGRANT_SOT } from '../helpers/sot.ts';
import { cli } from '../helpers/cli.ts';

test('iPXE script by Vaquero cmdline rules: empty value, list, config URL by type', async () => {
  const r = await cli('preview', '--sot', EXAMPLES_SOT, '--mac', '00:00:00:00:00:01', '--ipxe');
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, [
    '#!ipxe',
    'kernel http://127.0.0.1:24602/files/stable/1053/2.0/coreos_production_pxe.vmlinuz coreos.autologin initrd=coreos_production_pxe_image.cpio.gz coreos.config.url=http://127.0.0.1:24602/config/00:00:00:00:00:01?boot=etcd-master',
    'initrd http://127.0.0.1:24602/files/coreos_production_pxe_image.cpio.gz',
    'boot',
    '',
  ].join('\n'));
});

test("ClevOS: ' ' gives 'lang= ', null gives the bare key, untyped configs add no parameter", async () => {
  const r = await cli('preview', '--sot', EXAMPLES_SOT, '--mac', '00-00-00-00-00-06', '--ipxe');
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, [
    '#!ipxe',
    'kernel http://127.0.0.1:24602/files/boot/accclevos.vmlinuz lang=  live-getty console=ttyS0,115200n8 console=tty0 union=aufs text boot=live live-netdev=eth2 ethdevice=eth2 ethdevice-timeout=300 clevos.runinstall noprompt clevos.installer.answers=http://127.0.0.1:24602/config/00:00:00:00:00:06?boot=clevos dhcp config fetch',
    'initrd http://127.0.0.1:24602/files/boot/acc/clevos.initrd',
    'boot',
    '',
  ].join('\n'));
});

test('a list value repeats its key; --uefi names initrds only when missing; the asset server addr comes from the env', async () => {
  const r = await cli('preview', '--sot', LAB_SOT, '--mac', '52:54:00:00:10:01', '--ipxe', '--uefi', '--boot', 'flatcar-worker');
  assert.equal(r.code, 0, r.err);
  const base = 'http://10.100.0.2:24602/files/flatcar/3975.2.2';
  assert.equal(r.out, [
    '#!ipxe',
    `kernel ${base}/flatcar_production_pxe.vmlinuz flatcar.first_boot=1 flatcar.autologin console=tty0 console=ttyS0,115200n8 initrd=flatcar_production_pxe_image.cpio.gz coreos.config.url=http://10.100.0.2:24602/config/52:54:00:00:10:01?boot=flatcar-worker`,
    `initrd ${base}/flatcar_production_pxe_image.cpio.gz`,
    'boot',
    '',
  ].join('\n'));
  const centos = await cli('preview', '--sot', VAGRANT_SOT, '--mac', '00:00:00:00:00:41', '--ipxe', '--uefi');
  assert.equal(centos.out.split('\n')[1], 'kernel http://10.10.10.5:24602/files/centos7.vmlinuz inst.ks=http://10.10.10.5:24602/config/00:00:00:00:00:41?boot=centos initrd=centos7_initrd.img');
});

test('--data is the exact dot: env with agentURL, boot with os and configURL, host and interface with subnet objects, md aliases', async () => {
  const r = await cli('preview', '--sot', EXAMPLES_SOT, '--mac', '00:00:00:00:00:04', '--data');
  assert.equal(r.code, 0, r.err);
  const { dot, funcs } = JSON.parse(r.out);
  assert.equal(funcs, { Checkpoint: 'http://127.0.0.1:24602/checkpoint/00:00:00:00:00:04?boot=etcd-proxy' });
  assert.equal(Object.keys(dot).sort(), ['boot', 'env', 'host', 'interface']);
  assert.equal(dot.env.agentURL, 'http://127.0.0.1:24602');
  assert.equal(dot.env.md, dot.env.metadata);
  assert.equal(dot.boot.configURL, 'http://127.0.0.1:24602/config/00:00:00:00:00:04?boot=etcd-proxy');
  assert.equal(dot.boot.os, dot.boot.operating_system);
  assert.equal(dot.boot.os.id, 'coreos-1053.2.0-stable');
  assert.equal(dot.boot.md, { fleet_metadata: 'role=etcd-proxy' });
  const subnet = { id: 'default', cidr: '10.10.10.0/24', domain: 'foo.bar.com', gateway: '10.10.10.1', dns: ['8.8.8.8'], ntp: ['10.10.10.1'], vlan: 1, netmask: '255.255.255.0', metadata: {}, md: {} };
  assert.equal(dot.interface, { type: 'physical', subnet, mac: '00:00:00:00:00:04', identifier: 'eth0', ipv4: '10.10.10.13' });
  assert.equal(dot.host.interfaces[1].subnet, subnet);
  assert.equal(dot.host.md, { etcd_name: 'proxy1' });
  assert.equal(dot.host.workflow, 'etcd-proxy');
});

test('--boot must be a stage of the host workflow; unknown MACs and BMC MACs are refused', async () => {
  const wrong = await cli('preview', '--sot', EXAMPLES_SOT, '--mac', '00:00:00:00:00:01', '--boot', 'clevos');
  assert.equal(wrong.code, 2);
  assert.equal(wrong.err, "vaquero preview: boot 'clevos' is not a stage of host 'host1''s workflow 'etcd-master' (etcd-master) (VQ_ERR_NOT_FOUND)\n");
  const unknown = await cli('preview', '--sot', EXAMPLES_SOT, '--mac', '00:00:00:00:99:99');
  assert.equal(unknown.err, "vaquero preview: no host with MAC 00:00:00:00:99:99 in site 'test-site' (VQ_ERR_NOT_FOUND)\n");
  const bmc = await cli('preview', '--sot', EXAMPLES_SOT, '--mac', '00:00:00:00:01:01');
  assert.equal(bmc.code, 2);
  assert.match(bmc.err, /BMC interface, which does not boot/);
  const discovery = await cli('preview', '--discovery');
  assert.equal(discovery.out, '#!ipxe\nchain ipxe?uuid=${uuid}&mac=${net0/mac:hexhyp}&domain=${domain}&hostname=${hostname}\n');
});

test.run();
