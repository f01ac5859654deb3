using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using NeuralPhotoEdit.Imaging;
using NeuralPhotoEdit.ModelFiles;
using NeuralPhotoEdit.Networks;
using Xunit.Abstractions;

namespace NeuralPhotoEdit.Tests;

/// <summary>
/// Seeded mutations of a valid model file and of valid images: every one must end in a valid result
/// or in the project's own one-line error (never another exception type, a native crash or a hang).
/// </summary>
public class FuzzTests(ITestOutputHelper output) : IDisposable
{
    readonly TempDirectory _temp = TestSupport.TempDirectory();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void MutatedModelFilesLoadOrAreRefusedWithAModelFileError()
    {
        TorchRuntime.EnsureInitialised();
        string goodPath = _temp.File("good.safetensors");
        using (var network = new IntrospectiveAdversarialNetwork(IanConfig.Tiny)) ModelFile.Save(goodPath, network);
        var good = File.ReadAllBytes(goodPath);
        int headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(good);
        var random = new Random(20261123);
        int loaded = 0, refused = 0;
        for (int i = 0; i < 300; i++)
        {
            var bytes = Mutate(good, headerLength, random, out string kind);
            string path = _temp.File($"m{i}.safetensors");
            File.WriteAllBytes(path, bytes);
            try
            {
                using var model = ModelFile.Load(path);
                loaded++;
            }
            catch (ModelFileException e)
            {
                refused++;
                Assert.Contains(path, e.Message);
                Assert.DoesNotContain('\n', e.Message);
                Assert.True(e.Message.Length < 400, $"{kind}: a {e.Message.Length}-character message");
            }
            catch (Exception e)
            {
                Assert.Fail($"mutation {i} ({kind}) threw {e.GetType().Name}: {e.Message}");
            }
            File.Delete(path);
        }
        output.WriteLine($"{loaded} loaded, {refused} refused");
        Assert.True(refused > 100, "the mutations must break most files");
    }

    static byte[] Mutate(byte[] good, int headerLength, Random random, out string kind)
    {
        var bytes = (byte[])good.Clone();
        switch (random.Next(6))
        {
            case 0:
                kind = "header bytes flipped";
                for (int k = 0; k < 1 + random.Next(4); k++) bytes[8 + random.Next(headerLength)] ^= (byte)(1 << random.Next(8));
                return bytes;
            case 1:
                kind = "data bytes flipped";
                for (int k = 0; k < 1 + random.Next(16); k++) bytes[8 + headerLength
                    + random.Next(bytes.Length - 8 - headerLength)] = (byte)random.Next(256);
                return bytes;
            case 2:
                kind = "truncated";
                return bytes[..random.Next(bytes.Length)];
            case 3:
                kind = "header length changed";
                BinaryPrimitives.WriteUInt64LittleEndian(bytes,
                    (ulong)(headerLength + random.Next(-64, 64)) * (ulong)(random.Next(3) == 0 ? 1_000_003 : 1));
                return bytes;
            case 4:
            {
                kind = "config changed";
                var (header, data) = SafeTensorsBytes.Split(good);
                var config = JsonNode.Parse(header["__metadata__"]!["config"]!.GetValue<string>())!.AsObject();
                var keys = config.Select(p => p.Key).ToArray();
                string key = keys[random.Next(keys.Length)];
                config[key] = random.Next(4) switch
                {
                    0 => JsonValue.Create(4096),
                    1 => JsonValue.Create(-1),
                    2 => new JsonArray(4096, 4096, 4096),
                    _ => JsonValue.Create("x"),
                };
                header["__metadata__"]!["config"] = config.ToJsonString();
                return SafeTensorsBytes.Join(header, data);
            }
            default:
            {
                kind = "tensor entry changed";
                var (header, data) = SafeTensorsBytes.Split(good);
                var names = header.Select(p => p.Key).Where(k => k != "__metadata__").ToArray();
                var entry = header[names[random.Next(names.Length)]]!.AsObject();
                switch (random.Next(4))
                {
                    case 0: entry["dtype"] = new[] { "F16", "I64", "U8", "BOOL", "Q4" }[random.Next(5)]; break;
                    case 1: entry["shape"] = new JsonArray(random.Next(-2, 70000), 3); break;
                    case 2: entry["data_offsets"] = new JsonArray(random.Next(-5, 5000), random.Next(-5, 5000000)); break;
                    default: header.Remove(names[random.Next(names.Length)]); break;
                }
                return SafeTensorsBytes.Join(header, data);
            }
        }
    }

    [Fact]
    public void MutatedImagesDecodeOrAreRefusedWithAUserError()
    {
        var sources = new[] { Path.Combine(TestSupport.DemoFolder, "valley.jpg"), Path.Combine(TestSupport.DemoFolder, "valley-strokes.png") }
            .Select(File.ReadAllBytes).ToArray();
        var random = new Random(11);
        int decoded = 0, refused = 0;
        for (int i = 0; i < 200; i++)
        {
            var bytes = (byte[])sources[i % 2].Clone();
            switch (random.Next(3))
            {
                case 0: for (int k = 0; k < 1 + random.Next(8); k++) bytes[random.Next(Math.Min(bytes.Length, 600))] = (byte)random.Next(256); break;
                case 1: for (int k = 0; k < 1 + random.Next(32); k++) bytes[random.Next(bytes.Length)] = (byte)random.Next(256); break;
                default: bytes = bytes[..random.Next(bytes.Length)]; break;
            }
            string path = _temp.File($"i{i}" + (i % 2 == 0 ? ".jpg" : ".png"));
            File.WriteAllBytes(path, bytes);
            try
            {
                var image = ImageFiles.Load(path);
                Assert.True((long)image.Width * image.Height <= ImageFiles.MaxPixels);
                decoded++;
            }
            catch (UserInputException e)
            {
                refused++;
                Assert.DoesNotContain('\n', e.Message);
                // In words, not the decoder's result code (ErrorInInput, InvalidInput).
                Assert.DoesNotMatch(@"\((ErrorInInput|InvalidInput|Unimplemented|InvalidConversion)\)", e.Message);
            }
            File.Delete(path);
        }
        output.WriteLine($"{decoded} decoded, {refused} refused");
        Assert.True(refused > 20);
    }

    /// <summary>A 65 KB PNG can declare a 23 170² image: refused from its header, at once.</summary>
    [Fact]
    public void ADecompressionBombIsRefusedBeforeDecoding()
    {
        var png = File.ReadAllBytes(Path.Combine(TestSupport.DemoFolder, "valley-strokes.png"));
        // IHDR's width and height are the big-endian words at bytes 16 and 20.
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(16), 23_170);
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(20), 23_170);
        // The chunk's CRC must match or the decoder rejects the header itself.
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(29), Crc32(png.AsSpan(12, 17)));
        string path = _temp.File("bomb.png");
        File.WriteAllBytes(path, png);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var error = Assert.Throws<UserInputException>(() => ImageFiles.Load(path));
        Assert.Contains("23170×23170", error.Message);
        Assert.Contains("megapixels", error.Message);
        Assert.True(clock.ElapsedMilliseconds < 1000, $"refusing took {clock.ElapsedMilliseconds} ms");
    }

    /// <summary>PNG's CRC-32 (ISO 3309), bit by bit: only a few bytes are hashed here.</summary>
    static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in bytes)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
        }
        return ~crc;
    }
}
