package dev.imgsearch.job.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The TCP sockets that given processes listen on, read from Linux's {@code /proc}: {@code
 * /proc/net/tcp} and {@code tcp6} list every listening socket with its inode, and {@code
 * /proc/PID/fd} tells which process holds which inode.
 */
final class ListeningSockets {

  /** One listening socket: the address as text ("127.0.0.1", "::", "::ffff:127.0.0.1"), a port. */
  record Socket(long pid, String address, int port) {
    boolean isLoopback() {
      return address.equals("127.0.0.1")
          || address.startsWith("127.")
          || address.equals("::1")
          || address.startsWith("::ffff:127.");
    }

    @Override
    public String toString() {
      return address + ":" + port + " (pid " + pid + ")";
    }
  }

  private ListeningSockets() {}

  /**
   * Every process whose process group is {@code pgid}: a server started with setsid and its
   * children.
   */
  static Set<Long> processGroup(long pgid) {
    Set<Long> pids = new HashSet<>();
    try (DirectoryStream<Path> proc = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path dir : proc) {
        try {
          String stat = Files.readString(dir.resolve("stat"));
          // pid (comm) state ppid pgrp ...; comm may contain spaces and parentheses.
          String[] after = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          if (Long.parseLong(after[2]) == pgid) {
            pids.add(Long.parseLong(dir.getFileName().toString()));
          }
        } catch (NoSuchFileException e) {
          // The process ended while we looked.
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return pids;
  }

  /** The listening TCP sockets held by these processes. */
  static List<Socket> of(Set<Long> pids) {
    Map<Long, String[]> listening = new HashMap<>(); // inode -> {address, port}
    readTable(Path.of("/proc/net/tcp"), false, listening);
    readTable(Path.of("/proc/net/tcp6"), true, listening);
    List<Socket> sockets = new ArrayList<>();
    for (long pid : pids) {
      Path fds = Path.of("/proc", Long.toString(pid), "fd");
      try (DirectoryStream<Path> stream = Files.newDirectoryStream(fds)) {
        for (Path fd : stream) {
          String target;
          try {
            target = Files.readSymbolicLink(fd).toString();
          } catch (IOException e) {
            continue; // closed meanwhile
          }
          if (target.startsWith("socket:[")) {
            long inode = Long.parseLong(target.substring(8, target.length() - 1));
            String[] where = listening.get(inode);
            if (where != null) {
              sockets.add(new Socket(pid, where[0], Integer.parseInt(where[1])));
            }
          }
        }
      } catch (NoSuchFileException e) {
        // The process ended.
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return sockets;
  }

  private static void readTable(Path table, boolean v6, Map<Long, String[]> out) {
    List<String> lines;
    try {
      lines = Files.readAllLines(table);
    } catch (NoSuchFileException e) {
      return; // no IPv6 in this kernel
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.trim().split("\\s+");
      if (!"0A".equals(f[3])) { // TCP_LISTEN
        continue;
      }
      String[] local = f[1].split(":");
      String address = v6 ? ipv6(local[0]) : ipv4(local[0]);
      out.put(
          Long.parseLong(f[9]),
          new String[] {address, Integer.toString(Integer.parseInt(local[1], 16))});
    }
  }

  /** /proc/net/tcp writes the address as one little-endian hex word. */
  private static String ipv4(String hex) {
    long v = Long.parseLong(hex, 16);
    return (v & 0xff)
        + "."
        + ((v >> 8) & 0xff)
        + "."
        + ((v >> 16) & 0xff)
        + "."
        + ((v >> 24) & 0xff);
  }

  /** Four little-endian 32-bit words; only the forms that matter here are named. */
  private static String ipv6(String hex) {
    if (hex.equals("00000000000000000000000000000000")) {
      return "::";
    }
    if (hex.equals("00000000000000000000000001000000")) {
      return "::1";
    }
    if (hex.startsWith("0000000000000000FFFF0000")) {
      return "::ffff:" + ipv4(hex.substring(24));
    }
    return "ipv6:" + hex;
  }
}
