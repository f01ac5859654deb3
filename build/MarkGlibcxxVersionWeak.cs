using System;
using System.IO;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

// Sets VER_FLG_WEAK on the GLIBCXX_3.4.32 entry of an ELF64 file's .gnu.version_r section, in place.
// Written by hand because no maintained .NET library edits ELF version-need flags, and the change is
// a two-byte write found by walking three small, fixed-layout tables.
public class MarkGlibcxxVersionWeak : Task
{
    const uint Glibcxx3432Hash = 0x0297f842; // ELF hash of "GLIBCXX_3.4.32"
    const uint ShtGnuVerneed = 0x6ffffffe;
    const ushort VerFlgWeak = 0x2;

    [Required] public ITaskItem[] Files { get; set; } = Array.Empty<ITaskItem>();

    public override bool Execute()
    {
        foreach (var item in Files)
        {
            string path = item.GetMetadata("FullPath");
            try
            {
                string result = Patch(path);
                Log.LogMessage(MessageImportance.Normal, $"{path}: {result}");
            }
            catch (Exception e)
            {
                Log.LogError($"Could not patch {path}: {e.Message}");
                return false;
            }
        }
        return true;
    }

    static string Patch(string path)
    {
        byte[] elf = File.ReadAllBytes(path);
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != 'E' || elf[2] != 'L' || elf[3] != 'F')
            throw new InvalidDataException("not an ELF file");
        if (elf[4] != 2 || elf[5] != 1) throw new InvalidDataException("not a little-endian ELF64 file");

        long sectionTable = (long)BitConverter.ToUInt64(elf, 0x28);
        int entrySize = BitConverter.ToUInt16(elf, 0x3A);
        int sectionCount = BitConverter.ToUInt16(elf, 0x3C);
        for (int i = 0; i < sectionCount; i++)
        {
            long header = sectionTable + (long)i * entrySize;
            if (BitConverter.ToUInt32(elf, (int)header + 4) != ShtGnuVerneed) continue;
            long offset = (long)BitConverter.ToUInt64(elf, (int)header + 24);
            int needCount = (int)BitConverter.ToUInt32(elf, (int)header + 44);

            long need = offset;
            for (int n = 0; n < needCount; n++)
            {
                int auxCount = BitConverter.ToUInt16(elf, (int)need + 2);
                long aux = need + BitConverter.ToUInt32(elf, (int)need + 8);
                for (int a = 0; a < auxCount; a++)
                {
                    if (BitConverter.ToUInt32(elf, (int)aux) == Glibcxx3432Hash)
                    {
                        ushort flags = BitConverter.ToUInt16(elf, (int)aux + 4);
                        if ((flags & VerFlgWeak) != 0) return "already patched";
                        BitConverter.GetBytes((ushort)(flags | VerFlgWeak)).CopyTo(elf, (int)aux + 4);
                        // Write beside the target, then swap: a failed write never leaves half a library.
                        string temp = path + ".patching";
                        File.WriteAllBytes(temp, elf);
                        File.Copy(temp, path, true);
                        File.Delete(temp);
                        return "marked GLIBCXX_3.4.32 as weak";
                    }
                    aux += BitConverter.ToUInt32(elf, (int)aux + 12);
                }
                need += BitConverter.ToUInt32(elf, (int)need + 12);
            }
        }
        return "no GLIBCXX_3.4.32 requirement (nothing to do)";
    }
}
