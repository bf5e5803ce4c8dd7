"""keelqemu: drive a QEMU x86_64 machine from Python tests (standard library only).

A Machine starts qemu-system-x86_64 with the caller's arguments plus the fixed set every Keel test needs:

    -no-reboot                    a triple fault or reset makes QEMU exit (status 0) instead of looping
    -display none                 no window; the VGA screen is read back through QMP instead
    -serial file:<tmp>/serial.log COM1 goes to a file that wait_serial() polls
                                  (serial_input=True: a Unix socket instead, see below)
    -qmp unix:<tmp>/qmp.sock,server=on,wait=off
    -device isa-debug-exit,iobase=0xf4,iosize=0x04   (debug_exit=True) a guest write of v to port 0xf4
                                  makes QEMU exit with status (v << 1) | 1, e.g. 0x10 -> 33, 0x11 -> 35

A kernel ELF booted with -kernel also gets the ramdisk, as every loader hands it over: -initrd with the
initrd.tar beside the kernel file (build/initrd.tar for build/kernel.elf), which QEMU's Multiboot 1 loader
passes as a module whose string is that path. Not when the arguments have an -initrd of their own, nor when
there is no initrd.tar there (the halting kernels of the benchmarks).

Reading the screen: QMP `pmemsave` copies guest physical memory 0xB8000..0xB8F9F (80x25 cells of
(character, attribute) bytes, the VGA text buffer) into a file; screen() decodes the characters as code
page 437. Typing: QMP `send-key` with QEMU "qcode" key names; type_text() maps ASCII to them.

Writing to COM1 (serial_input=True): COM1 is a Unix socket chardev instead of a file,
    -chardev socket,id=serial0,path=<tmp>/serial.sock,server=on,wait=on -serial chardev:serial0
wait=on makes QEMU wait for the harness to connect before the guest runs, so not one byte of output is lost.
A thread copies everything QEMU sends into the same serial.log, so wait_serial() and serial_text() work
unchanged; serial_write() sends bytes to the guest's receiver.

How QEMU ended: with -no-reboot both a guest reset and an ACPI power-off make QEMU exit with status 0; the reason
of the QMP SHUTDOWN event ("guest-reset", "guest-shutdown") tells them apart, see shutdown_reason().

Use it as a context manager so QEMU is always killed and the temporary directory removed:

    with Machine(["-kernel", "build/kernel.elf", "-m", "64M"]) as vm:
        if vm.wait_serial("ready", timeout=20):
            print("\\n".join(vm.screen()))
"""

import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time

QEMU = os.environ.get("QEMU", "qemu-system-x86_64")
OVMF = "/usr/share/ovmf/OVMF.fd"  # UEFI firmware for -bios (Debian's ovmf)

VGA_TEXT_BASE = 0xB8000  # physical address of the colour text-mode buffer
VGA_COLUMNS = 80
VGA_ROWS = 25
VGA_TEXT_BYTES = VGA_COLUMNS * VGA_ROWS * 2  # 2 bytes per cell: character, attribute

DEBUG_EXIT_PORT = 0xF4
EXIT_SUCCESS = (0x10 << 1) | 1  # 33: the guest wrote 0x10 to the debug-exit port
EXIT_FAILURE = (0x11 << 1) | 1  # 35: the guest wrote 0x11

POLL_INTERVAL = 0.05  # seconds between looks at the serial log or the screen
QMP_TIMEOUT = 10.0  # seconds to wait for one QMP reply


RAMDISK_NAME = "initrd.tar"  # the Makefile's INITRD, in the build directory beside the kernels


def ramdisk_beside(kernel):
    """The ramdisk a -kernel boot of `kernel` is given (whether or not the file exists)."""
    return os.path.join(os.path.dirname(kernel), RAMDISK_NAME)


def with_ramdisk(args):
    """`args`, plus -initrd <the ramdisk beside the kernel> for a -kernel boot that has none."""
    if "-kernel" not in args or "-initrd" in args:
        return list(args)
    kernel = args[args.index("-kernel") + 1]
    if not os.path.exists(ramdisk_beside(kernel)):
        return list(args)
    return [*args, "-initrd", ramdisk_beside(kernel)]


class QemuError(Exception):
    """QEMU could not be started, exited under us, or a QMP command failed."""


# ---------------------------------------------------------------------------------------------------------------
# Code page 437: the character set of the VGA text-mode font.

# 0x01-0x1F are pictures in the VGA font, not control characters (0x00 shows as a blank cell).
_CP437_LOW = "☺☻♥♦♣♠•◘○◙♂♀♪♫☼►◄↕‼¶§▬↨↑↓→←∟↔▲▼"


def _cp437_char(byte):
    """The Unicode character the VGA font draws for `byte`."""
    if byte == 0:
        return " "
    if byte < 0x20:
        return _CP437_LOW[byte - 1]
    if byte < 0x7F:
        return chr(byte)
    if byte == 0x7F:
        return "⌂"
    # The high half (accents, box drawing 0xB3-0xDA, 0xFE block) is exactly Python's cp437 codec.
    return bytes([byte]).decode("cp437")


CP437 = [_cp437_char(b) for b in range(256)]


def decode_cp437(data):
    """Decode VGA character bytes to a str of the same length."""
    return "".join(CP437[b] for b in data)


# ---------------------------------------------------------------------------------------------------------------
# Keyboard: ASCII -> QEMU qcode names (qapi/ui.json, QKeyCode) for a US layout.

_UNSHIFTED = {
    " ": "spc", "\n": "ret", "\t": "tab", "\b": "backspace", "\x1b": "esc",
    "-": "minus", "=": "equal", "[": "bracket_left", "]": "bracket_right", "\\": "backslash",
    ";": "semicolon", "'": "apostrophe", "`": "grave_accent", ",": "comma", ".": "dot", "/": "slash",
}
_SHIFTED = {
    "!": "1", "@": "2", "#": "3", "$": "4", "%": "5", "^": "6", "&": "7", "*": "8", "(": "9", ")": "0",
    "_": "minus", "+": "equal", "{": "bracket_left", "}": "bracket_right", "|": "backslash",
    ":": "semicolon", '"': "apostrophe", "~": "grave_accent", "<": "comma", ">": "dot", "?": "slash",
}


def qcodes_for_char(ch):
    """The qcodes to press together to type `ch`, e.g. 'A' -> ['shift', 'a']."""
    if ch.isascii() and (ch.islower() or ch.isdigit()):
        return [ch]
    if ch.isascii() and ch.isupper():
        return ["shift", ch.lower()]
    if ch in _UNSHIFTED:
        return [_UNSHIFTED[ch]]
    if ch in _SHIFTED:
        return ["shift", _SHIFTED[ch]]
    raise ValueError(f"no key for character {ch!r}")


# ---------------------------------------------------------------------------------------------------------------
# QMP: JSON lines over a Unix socket (docs/interop/qmp-spec.txt).


class QmpClient:
    """A minimal synchronous QMP client: greeting, capabilities negotiation, then one command at a time."""

    def __init__(self, path, timeout=QMP_TIMEOUT):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.reader = self.sock.makefile("rb")
        self.events = []  # asynchronous events seen so far (SHUTDOWN, RESET, ...)
        greeting = self._read_message()
        if "QMP" not in greeting:
            raise QemuError(f"unexpected QMP greeting: {greeting}")
        self.command("qmp_capabilities")

    def _read_message(self):
        line = self.reader.readline()
        if not line:
            raise QemuError("QMP connection closed (QEMU exited?)")
        return json.loads(line)

    def command(self, name, **arguments):
        """Run one command; return its 'return' value, raise QemuError on an 'error' reply."""
        request = {"execute": name}
        if arguments:
            request["arguments"] = arguments
        self.sock.sendall(json.dumps(request).encode() + b"\n")
        while True:
            reply = self._read_message()
            if "event" in reply:
                self.events.append(reply)
            elif "error" in reply:
                err = reply["error"]
                raise QemuError(f"QMP {name} failed: {err.get('class')}: {err.get('desc')}")
            elif "return" in reply:
                return reply["return"]

    def drain_events(self):
        """After QEMU has exited: read what it sent last (events) until it closed the socket."""
        while True:
            try:
                message = self._read_message()
            except (QemuError, OSError, ValueError):
                return self.events
            if "event" in message:
                self.events.append(message)

    def close(self):
        for closable in (self.reader, self.sock):
            try:
                closable.close()
            except OSError:
                pass


# ---------------------------------------------------------------------------------------------------------------


class Machine:
    """One QEMU process with a serial log and a QMP socket, killed at the latest after `timeout` seconds."""

    columns, rows = VGA_COLUMNS, VGA_ROWS  # the text screen's size (fbscreen.FramebufferMachine: the grid's)

    def __init__(self, args, timeout=120, debug_exit=True, qemu=QEMU, start=True, serial_input=False):
        self.tmpdir = tempfile.mkdtemp(prefix="keelqemu-")
        self.serial_path = os.path.join(self.tmpdir, "serial.log")
        self.qmp_path = os.path.join(self.tmpdir, "qmp.sock")
        self.stderr_path = os.path.join(self.tmpdir, "stderr.log")
        self.serial_socket_path = os.path.join(self.tmpdir, "serial.sock") if serial_input else None
        if serial_input:
            serial_args = ["-chardev", f"socket,id=serial0,path={self.serial_socket_path},server=on,wait=on",
                           "-serial", "chardev:serial0"]
        else:
            serial_args = ["-serial", f"file:{self.serial_path}"]
        self.command_line = [qemu, *with_ramdisk(args), "-no-reboot", "-display", "none", *serial_args,
                             "-qmp", f"unix:{self.qmp_path},server=on,wait=off"]
        if debug_exit:
            self.command_line += ["-device", f"isa-debug-exit,iobase={DEBUG_EXIT_PORT:#x},iosize=0x04"]
        self.timeout = timeout
        self.proc = None
        self.qmp_client = None
        self.serial_socket = None  # serial_input: our end of COM1
        self.serial_pump = None  # serial_input: the thread copying COM1 output into serial.log
        self.watchdog = None
        self.timed_out = False  # the watchdog killed QEMU
        self._final_serial = None
        self._final_stderr = None
        if start:
            self.start()

    # -- lifetime ------------------------------------------------------------------------------------------------

    def start(self):
        """Start QEMU and connect to QMP; raise QemuError (with QEMU's stderr) if it does not come up."""
        with open(self.stderr_path, "wb") as stderr:
            try:
                self.proc = subprocess.Popen(self.command_line, stdin=subprocess.DEVNULL,
                                             stdout=stderr, stderr=stderr)
            except OSError as err:
                shutil.rmtree(self.tmpdir, ignore_errors=True)
                raise QemuError(f"cannot run {self.command_line[0]}: {err}") from err
        self.watchdog = threading.Timer(self.timeout, self._kill_on_timeout)
        self.watchdog.daemon = True
        self.watchdog.start()
        try:
            if self.serial_socket_path:
                self._connect_serial()  # QEMU waits for this before it creates the QMP socket
            self._connect_qmp()
        except Exception:
            self.close()
            raise

    def _connect_qmp(self):
        deadline = time.monotonic() + QMP_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise QemuError(f"QEMU exited with status {self.proc.returncode} at startup: "
                                f"{self.stderr_text().strip()}")
            if os.path.exists(self.qmp_path):
                try:
                    self.qmp_client = QmpClient(self.qmp_path)
                    return
                except OSError:
                    pass  # not listening yet, or QEMU quit while we connected: poll() above tells
            time.sleep(POLL_INTERVAL)
        raise QemuError(f"no QMP socket after {QMP_TIMEOUT:.0f} s: {self.stderr_text().strip()}")

    def _connect_serial(self):
        """Connect to COM1's socket and start copying what the guest writes into serial.log."""
        open(self.serial_path, "wb").close()  # exists from the start, like QEMU's file: backend
        deadline = time.monotonic() + QMP_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise QemuError(f"QEMU exited with status {self.proc.returncode} at startup: "
                                f"{self.stderr_text().strip()}")
            if os.path.exists(self.serial_socket_path):
                sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                try:
                    sock.connect(self.serial_socket_path)
                except OSError:
                    sock.close()  # not listening yet
                else:
                    self.serial_socket = sock
                    self.serial_pump = threading.Thread(target=self._pump_serial, daemon=True)
                    self.serial_pump.start()
                    return
            time.sleep(POLL_INTERVAL)
        raise QemuError(f"no serial socket after {QMP_TIMEOUT:.0f} s: {self.stderr_text().strip()}")

    def _pump_serial(self):
        """Append every byte QEMU sends on COM1 to serial.log until QEMU closes the connection."""
        with open(self.serial_path, "ab") as log:
            while True:
                try:
                    data = self.serial_socket.recv(4096)
                except OSError:
                    return
                if not data:
                    return
                log.write(data)
                log.flush()

    def _kill_on_timeout(self):
        if self.proc.poll() is None:
            self.timed_out = True
            self.proc.kill()

    def close(self):
        """Stop QEMU (QMP quit, then kill) and delete the temporary files. Safe to call twice."""
        if self.proc is not None and self.proc.poll() is None:
            try:
                if self.qmp_client:
                    self.qmp_client.command("quit")
                self.proc.wait(timeout=2)
            except (QemuError, OSError, ValueError, subprocess.TimeoutExpired):
                pass
            if self.proc.poll() is None:
                self.proc.kill()
            self.proc.wait()
        if self.watchdog:
            self.watchdog.cancel()
        if self.qmp_client:
            self.qmp_client.close()
            self.qmp_client = None
        if self.serial_socket:
            if self.serial_pump:
                self.serial_pump.join(timeout=2)  # QEMU is gone: its end is closed, the pump sees EOF
            self.serial_socket.close()
            self.serial_socket = None
        if os.path.isdir(self.tmpdir):
            self._final_serial = self.serial_text()
            self._final_stderr = self.stderr_text()
            shutil.rmtree(self.tmpdir, ignore_errors=True)

    quit = close

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def is_running(self):
        """True while QEMU is alive and its VM is in the 'running' state (not paused, not shut down)."""
        if self.proc.poll() is not None:
            return False
        try:
            return self.qmp("query-status").get("status") == "running"
        except (QemuError, OSError):
            return False

    def wait_exit(self, timeout):
        """Wait for QEMU to exit; return its exit status, or None if it still runs after `timeout` s."""
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def exit_status(self):
        """QEMU's exit status, or None while it runs."""
        return self.proc.poll()

    def shutdown_reason(self):
        """Once QEMU has exited: the reason of its last SHUTDOWN event (QMP), e.g. "guest-shutdown" for an
        ACPI power-off, "guest-reset" for a reset under -no-reboot; None if it sent none (or still runs)."""
        if self.proc.poll() is None or self.qmp_client is None:
            return None
        shutdowns = [e for e in self.qmp_client.drain_events() if e.get("event") == "SHUTDOWN"]
        return shutdowns[-1].get("data", {}).get("reason") if shutdowns else None

    # -- output of the guest -------------------------------------------------------------------------------------

    def serial_text(self):
        """Everything the guest wrote to COM1 so far (with '\\r' removed)."""
        if self._final_serial is not None:
            return self._final_serial
        try:
            with open(self.serial_path, "rb") as log:
                return log.read().decode("utf-8", "replace").replace("\r", "")
        except FileNotFoundError:
            return ""

    def serial_lines(self):
        return self.serial_text().splitlines()

    def serial_write(self, data):
        """Send bytes (or an ASCII str) to the guest's COM1 receiver; needs serial_input=True."""
        if self.serial_socket is None:
            raise QemuError("COM1 is not writable: start the Machine with serial_input=True")
        if isinstance(data, str):
            data = data.encode("ascii")
        try:
            self.serial_socket.sendall(data)
        except OSError as err:
            raise QemuError(f"writing to COM1: {err}; {self.exit_report()}") from err

    def stderr_text(self):
        """What QEMU itself printed (errors, warnings)."""
        if self._final_stderr is not None:
            return self._final_stderr
        try:
            with open(self.stderr_path, "rb") as log:
                return log.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def wait_serial(self, pattern, timeout):
        """Poll the serial log until it contains `pattern` (a substring, or a compiled regex).

        Returns False on timeout or if QEMU exits without having printed it."""
        found = _matcher(pattern)
        deadline = time.monotonic() + timeout
        while True:
            if found(self.serial_text()):
                return True
            if self.proc.poll() is not None:
                return found(self.serial_text())  # the last bytes may have landed just before exit
            if time.monotonic() >= deadline:
                return False
            time.sleep(POLL_INTERVAL)

    def wait_screen(self, pattern, timeout):
        """Poll the VGA screen until its text (rows joined by '\\n') contains `pattern`."""
        found = _matcher(pattern)
        deadline = time.monotonic() + timeout
        while True:
            try:
                if found("\n".join(self.screen())):
                    return True
            except (QemuError, OSError):
                return False  # QEMU is gone
            if time.monotonic() >= deadline:
                return False
            time.sleep(POLL_INTERVAL * 4)

    # -- QMP -----------------------------------------------------------------------------------------------------

    def qmp(self, command, **arguments):
        """Run a QMP command (argument names with '_' are sent with '-', e.g. hold_time)."""
        if self.qmp_client is None:
            raise QemuError("QMP is not connected")
        arguments = {name.replace("_", "-"): value for name, value in arguments.items()}
        try:
            return self.qmp_client.command(command, **arguments)
        except (OSError, ValueError) as err:
            raise QemuError(f"QMP {command}: {err}; {self.exit_report()}") from err

    def exit_report(self):
        """A short description of how QEMU ended (status and stderr), for error messages."""
        status = self.proc.poll()
        state = "QEMU still running" if status is None else f"QEMU exited with status {status}"
        stderr = self.stderr_text().strip()
        return f"{state}; stderr: {stderr}" if stderr else state

    def read_physical(self, address, size):
        """Copy `size` bytes of guest physical memory at `address` (QMP pmemsave through a temp file)."""
        dump = os.path.join(self.tmpdir, "pmem.bin")
        self.qmp("pmemsave", val=address, size=size, filename=dump)
        with open(dump, "rb") as f:
            data = f.read()
        os.remove(dump)
        return data

    def screen_cells(self):
        """The 25 rows of the VGA text screen, each a list of 80 (character byte, attribute byte) pairs."""
        data = self.read_physical(VGA_TEXT_BASE, VGA_TEXT_BYTES)
        cells = list(zip(data[0::2], data[1::2]))
        return [cells[row * VGA_COLUMNS:(row + 1) * VGA_COLUMNS] for row in range(VGA_ROWS)]

    def screen(self):
        """The 25 rows of the VGA text screen as 80-character strings (code page 437 decoded)."""
        return ["".join(CP437[ch] for ch, _attr in row) for row in self.screen_cells()]

    def screendump(self, path):
        """Write what the display shows as a binary PPM (P6) image to `path`."""
        self.qmp("screendump", filename=os.path.abspath(path))

    def send_key(self, *keys, hold_time=None):
        """Press the given qcodes together and release them, e.g. send_key('ctrl', 'alt', 'delete')."""
        arguments = {"keys": [{"type": "qcode", "data": key} for key in keys]}
        if hold_time is not None:
            arguments["hold_time"] = hold_time  # milliseconds; QEMU's default is 100
        self.qmp("send-key", **arguments)

    def type_text(self, text, hold_time=20):
        """Type ASCII `text` (shift is pressed for capitals and symbols; '\\n' is Enter)."""
        for ch in text:
            self.send_key(*qcodes_for_char(ch), hold_time=hold_time)


def _matcher(pattern):
    """A predicate on text: substring test for a str, search for a compiled regex."""
    if isinstance(pattern, re.Pattern):
        return lambda text: pattern.search(text) is not None
    return lambda text: pattern in text


def tail(lines, count=6):
    """The last `count` non-blank lines, stripped, for one-line failure reports."""
    kept = [line.strip() for line in lines if line.strip()]
    return kept[-count:]
