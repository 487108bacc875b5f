import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readCpuOption } from '../../services/parser/core/qemu/cpu.js';
import { isCommandLine, parseCommandLine, readQemuConfig } from '../../services/parser/core/qemu/command-line.js';
import { readSizeMiB, splitOptionList } from '../../services/parser/core/qemu/option-values.js';

// The command-line grammar and its typed readers, option by option.

const config = (line: string) => readQemuConfig(parseCommandLine(line));

test('-cpu: model, legacy +/- flags, key=on|off, properties apart from feature flags', () => {
  assert.deepEqual(readCpuOption('SandyBridge,+vmx,-ds,pcid=on,tsc-adjust=off,level=13'), {
    model: 'SandyBridge',
    // key=value settings first, in order; then every +feat, then every -feat (x86_cpu_expand_features).
    flags: ['pcid', '-tsc-adjust', 'vmx', '-ds'],
    properties: ['level=13'],
    hyperv: [],
  });
  // migratable (and host-phys-bits, kvm, check, enforce, ...) are properties of the CPU object, not CPUID flags.
  assert.deepEqual(readCpuOption('host,migratable=on,host-phys-bits=true,phys-bits=39,kvm=off,x-force-features=on,vmx=on'), {
    model: 'host',
    flags: ['vmx'],
    properties: ['migratable=on', 'host-phys-bits=on', 'phys-bits=39', 'kvm=off', 'x-force-features=on'],
    hyperv: [],
  });
  assert.deepEqual(readCpuOption('host,migratable=off').flags, []);
  // feat2prop: `_` and `-` spell the same property; the last setting of it wins and moves to the end.
  assert.deepEqual(readCpuOption('Haswell,tsc_adjust=on,ds_cpl,tsc-adjust=off').flags, ['ds-cpl', '-tsc-adjust']);
  // -feat wins over +feat and feat=on wherever it stands; +feat over feat=off.
  assert.deepEqual(readCpuOption('host,+vmx,-vmx').flags, ['-vmx']);
  assert.deepEqual(readCpuOption('host,-vmx,+vmx').flags, ['-vmx']);
  assert.deepEqual(readCpuOption('host,-svm,svm=on,+pcid,pcid=off').flags, ['pcid', '-svm']);
  assert.equal(readCpuOption('+vmx').model, undefined);
});

test('-cpu: Hyper-V enlightenments in both spellings, with values, off, and qemu\'s never-notify default', () => {
  assert.deepEqual(readCpuOption('host,hv_time,hv_relaxed,hv_vapic,hv_spinlocks=0x1fff,kvm=off,hv_vendor_id=xeon').hyperv, ['relaxed', 'spinlocks', 'time', 'vapic', 'vendor_id']);
  assert.deepEqual(readCpuOption('host,migratable=on,hv-relaxed=off,hv-vapic=on,hv-stimer-direct=on,hv-passthrough').hyperv, ['passthrough', 'stimer_direct', 'vapic']);
  // qemu >= 6 as libvirt writes it: hv-*=on, dash spellings, a vendor id with a blank.
  const modern = readCpuOption('host,migratable=on,hv-time=on,hv-relaxed=on,hv-vapic=on,hv-spinlocks=0x1fff,hv-vpindex=on,hv-runtime=on,hv-synic=on,hv-stimer=on,hv-reset=on,hv-vendor-id=KVM Hv,hv-frequencies=on,hv-tlbflush=off');
  assert.deepEqual(modern.hyperv, ['frequencies', 'relaxed', 'reset', 'runtime', 'spinlocks', 'stimer', 'synic', 'time', 'vapic', 'vendor_id', 'vpindex']);
  assert.deepEqual(modern.properties, ['migratable=on']);
  assert.deepEqual(modern.flags, []);
  // Bare old spellings, the legacy + form, and -hv_x taking one off.
  assert.deepEqual(readCpuOption('Westmere,hv_relaxed,+hv_vapic,hv_time,-hv_time').hyperv, ['relaxed', 'vapic']);
  // Later props win, as qemu applies them in order; 0xffffffff retries is qemu's "never notify" default.
  assert.deepEqual(readCpuOption('host,hv-relaxed=on,hv-relaxed=off,hv-spinlocks=0xffffffff').hyperv, []);
});

test('the effective -cpu is the last one of the command line', () => {
  const c = config('qemu-system-x86_64 -name w -cpu host,hv_relaxed,hv_time -m 4G -cpu Skylake-Client,+vmx');
  assert.equal(c.cpuOptions, 2);
  assert.equal(c.cpu?.model, 'Skylake-Client');
  assert.deepEqual(c.cpu?.hyperv, []);
});

test('-name both forms, -machine/-M, -smp with cpus= and maxcpus, -m sizes', () => {
  assert.equal(config('/usr/bin/kvm -name vm113 -S').name, 'vm113');
  assert.equal(config('/usr/bin/kvm -name guest=win,,10,debug-threads=on').name, 'win,10');
  assert.equal(config('/usr/bin/kvm -M pc').machine, 'pc');
  assert.equal(config('/usr/bin/kvm -machine type=q35,accel=kvm').machine, 'q35');
  assert.deepEqual(config('/usr/bin/kvm -smp cpus=2,maxcpus=8,sockets=2,cores=1,threads=1').smp, { cpus: 2, maxcpus: 8, sockets: 2, cores: 1, threads: 1 });
  assert.equal(config('/usr/bin/kvm -m 3072').memoryMb, 3072);
  assert.equal(config('/usr/bin/kvm -m size=3145728k,slots=16,maxmem=8G').memoryMb, 3072);
  assert.equal(config('/usr/bin/kvm -m 4G').memoryMb, 4096);
  assert.equal(readSizeMiB('512M'), 512);
  assert.equal(readSizeMiB('lots'), undefined);
});

test('MACs from keyval and JSON -device and -net nic, normalized; drives from -drive and -blockdev', () => {
  const c = config(
    `qemu-system-x86_64 -device virtio-net-pci,netdev=n0,mac=52:54:00:A6:3A:68 -device '{"driver":"e1000","mac":"52-54-00-00-00-01"}' -net nic,macaddr=52:54:00:00:00:02 ` +
      `-drive file=/a,,b.qcow2,if=none -drive if=none,id=cd -blockdev '{"driver":"qcow2","node-name":"f","file":{"driver":"file","filename":"/nested.qcow2"}}' -blockdev driver=file,node-name=x,filename=/kv.img`,
  );
  assert.deepEqual(c.macs, ['52:54:00:a6:3a:68', '52:54:00:00:00:01', '52:54:00:00:00:02']);
  assert.deepEqual(c.drives, ['/a,b.qcow2', '/nested.qcow2', '/kv.img']);
});

test('shell words: quotes, env assignments, backslash-newline continuations', () => {
  const cmd = parseCommandLine("LC_ALL=C LD_LIBRARY_PATH='' \\\n/usr/libexec/qemu-kvm \\\n-name 'guest=a b' \\\n-append \"console=ttyS0 quiet\" \\\n-S");
  assert.deepEqual(cmd.env, { LC_ALL: 'C', LD_LIBRARY_PATH: '' });
  assert.equal(cmd.program, '/usr/libexec/qemu-kvm');
  assert.deepEqual(cmd.options, [{ name: 'name', value: 'guest=a b' }, { name: 'append', value: 'console=ttyS0 quiet' }, { name: 'S' }]);
  assert.equal(cmd.cutInQuote, false);
});

test('what is left of a command line parses: cut inside a quote, without its head, env only', () => {
  const cut = parseCommandLine(`/usr/bin/kvm -name guest=vm7 -object '{"qom-type":"secret","id":"mas`);
  assert.equal(cut.cutInQuote, true);
  assert.equal(cut.program, '/usr/bin/kvm');
  assert.deepEqual(cut.options, [{ name: 'name', value: 'guest=vm7' }, { name: 'object', value: '{"qom-type":"secret","id":"mas' }]);
  const tail = parseCommandLine("-device '{\"driver\":\"usb-redir\"}' \\\n-sandbox on \\\n-msg timestamp=on");
  assert.equal(tail.program, undefined);
  assert.deepEqual(tail.options.map((o) => o.name), ['device', 'sandbox', 'msg']);
  const envOnly = parseCommandLine('LC_ALL=C \\\nPATH=/usr/bin \\');
  assert.equal(envOnly.program, undefined);
  assert.deepEqual(envOnly.env, { LC_ALL: 'C', PATH: '/usr/bin' });
  assert.equal(parseCommandLine('/usr/bin/kvm -append "console=ttyS0').cutInQuote, true);
  // A closed quote holding the other kind is not open.
  assert.equal(parseCommandLine(`/usr/bin/kvm -name "it's"`).cutInQuote, false);
});

test('command line detection', () => {
  assert.ok(isCommandLine('LC_ALL=C PATH=/bin QEMU_AUDIO_DRV=spice /usr/bin/kvm-spice -name vm113'));
  assert.ok(isCommandLine('qemu-system-x86_64 -enable-kvm -name vm84'));
  assert.ok(isCommandLine('/usr/libexec/qemu-kvm -name guest=x'));
  assert.ok(!isCommandLine('qemu: terminating on signal 15 from pid 1'));
  assert.ok(!isCommandLine('char device redirected to /dev/pts/1 (label charserial0)'));
  assert.equal(splitOptionList('a,,b,c').length, 2);
});
