import moo from 'moo';

// Lexer for one line of a qemu domain log (/var/log/libvirt/qemu/<vm>.log). Forms seen in the wild:
//   libvirt's own lines: "2017-03-16 02:55:46.227+0000: starting up libvirt version: ..." (virTimeStringNowRaw)
//   qemu with -msg timestamp=on: "2020-08-04T11:58:00.501164Z qemu-system-x86_64: warning: ..."
//   the same with a blank for the T: "2019-06-04 05:33:22.280743Z qemu-kvm: ..." (libvirtStamp is tried first)
//   qemu without timestamps: "qemu: terminating on signal 15 from pid 1234", "warning: host doesn't ..."
//   spice/glib, char devices, register dumps: free text with no time at all.
// Three tokens at most (stamp, program, text): the message itself is classified by typed code
// (services/parser/core/qemu/classify-message.ts), where anchored checks are cheaper than grammar rules.

const libvirtStamp = { match: /\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}[+-]\d{4}: ?/, next: 'afterStamp' };
// `T` or a blank between date and time: RHEL 7's qemu-kvm stderr as collected shows `2019-06-04 05:33:22.280743Z`.
const isoStamp = { match: /\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d) /, next: 'afterStamp' };
// The program prefix qemu's error_report() writes (error_get_progname): a bare name, or a full path.
const program = { match: /(?:\/[\w.+-]+)*\/?(?:qemu-system-[\w-]+|qemu-kvm|qemu|kvm-spice|kvm)(?:\[\d+\])?: /, next: 'message' };
const text = { match: /[^]+/, lineBreaks: true };

export const lexer = moo.states({
  start: { libvirtStamp, isoStamp, program, text },
  afterStamp: { program, text },
  message: { text },
});
