using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using NeuralPhotoEdit.ModelFiles;
using NeuralPhotoEdit.Networks;

namespace NeuralPhotoEdit.Tests;

/// <summary>Every kind of broken model file is refused with a message naming the file and the problem,
/// before anything reaches libtorch.</summary>
public class ModelFileValidationTests : IDisposable
{
    readonly TempDirectory _temp = TestSupport.TempDirectory();
    readonly byte[] _good;

    public ModelFileValidationTests()
    {
        TorchRuntime.EnsureInitialised();
        using var network = new IntrospectiveAdversarialNetwork(IanConfig.Tiny);
        string path = _temp.File("good.safetensors");
        ModelFile.Save(path, network);
        _good = File.ReadAllBytes(path);
    }

    public void Dispose() => _temp.Dispose();

    void AssertRejected(byte[] file, string expected)
    {
        string path = _temp.File($"bad-{Guid.NewGuid():N}.safetensors");
        File.WriteAllBytes(path, file);
        var error = Assert.Throws<ModelFileException>(() => ModelFile.Load(path).Dispose());
        Assert.Contains(path, error.Message);
        Assert.Contains(expected, error.Message);
    }

    JsonObject FirstTensor(JsonObject header, out string name)
    {
        var entry = header.First(kv => kv.Key != "__metadata__" && kv.Key.EndsWith("weight"));
        name = entry.Key;
        return entry.Value!.AsObject();
    }

    [Fact]
    public void TheGoodFileLoads() => ModelFile.Load(WriteGood()).Dispose();

    string WriteGood()
    {
        string path = _temp.File("copy.safetensors");
        File.WriteAllBytes(path, _good);
        return path;
    }

    [Fact] public void TooShort() => AssertRejected(_good[..5], "too short");

    [Fact] public void Truncated() => AssertRejected(_good[..(_good.Length - 100)], "outside the file");

    [Fact]
    public void HeaderLengthPastTheEnd()
    {
        var file = (byte[])_good.Clone();
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)file.Length);
        AssertRejected(file, "truncated");
    }

    [Fact]
    public void HeaderLengthAboveTheCap()
    {
        var file = (byte[])_good.Clone();
        BinaryPrimitives.WriteUInt64LittleEndian(file, ulong.MaxValue / 2);
        AssertRejected(file, "is not a model file (.safetensors)");
    }

    [Fact]
    public void BadJson()
    {
        var (header, data) = SafeTensorsBytes.Split(_good);
        var json = Encoding.UTF8.GetBytes(header.ToJsonString()[..^5] + "!!!");
        var file = new byte[8 + json.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)json.Length);
        json.CopyTo(file, 8);
        data.CopyTo(file, 8 + json.Length);
        AssertRejected(file, "not valid JSON");
    }

    [Fact]
    public void OverlappingRanges()
    {
        var (header, data) = SafeTensorsBytes.Split(_good);
        var entries = header.Where(kv => kv.Key != "__metadata__").Select(kv => kv.Value!.AsObject())
            .Where(e => e["dtype"]!.GetValue<string>() == "F32").OrderBy(e => e["data_offsets"]![0]!.GetValue<long>()).ToList();
        // Move the second tensor's range to start inside the first (keeping its length).
        var first = entries[0]; var second = entries[1];
        long begin = first["data_offsets"]![0]!.GetValue<long>() + 4;
        long length = second["data_offsets"]![1]!.GetValue<long>() - second["data_offsets"]![0]!.GetValue<long>();
        second["data_offsets"] = new JsonArray(begin, begin + length);
        AssertRejected(SafeTensorsBytes.Join(header, data), "overlap");
    }

    [Fact]
    public void RangeOutsideTheFile()
    {
        var (header, data) = SafeTensorsBytes.Split(_good);
        var entry = FirstTensor(header, out _);
        long length = entry["data_offsets"]![1]!.GetValue<long>() - entry["data_offsets"]![0]!.GetValue<long>();
        entry["data_offsets"] = new JsonArray(data.Length - length / 2, data.Length - length / 2 + length);
        AssertRejected(SafeTensorsBytes.Join(header, data), "outside the file");
    }

    [Fact]
    public void UnknownDtype()
    {
        var (header, data) = SafeTensorsBytes.Split(_good);
        FirstTensor(header, out _)["dtype"] = "Q4";
        AssertRejected(SafeTensorsBytes.Join(header, data), "unknown dtype 'Q4'");
    }

    [Fact]
    public void WrongDtypeForTheTensor()
    {
        var (header, data) = SafeTensorsBytes.Split(_good);
        var entry = FirstTensor(header, out var name);
        entry["dtype"] = "I32";     // same size as F32, so only the model check can catch it
        AssertRejected(SafeTensorsBytes.Join(header, data), $"'{name}' of dtype I32");
    }

    [Fact]
    public void ShapeThatDoesNotMatchTheByteRange()
    {
        var (header, data) = SafeTensorsBytes.Split(_good);
        FirstTensor(header, out _)["shape"] = new JsonArray(3, 3);
        AssertRejected(SafeTensorsBytes.Join(header, data), "needs 36 bytes");
    }

    [Fact]
    public void WrongShapeForTheNetwork()
    {
        var (header, data) = SafeTensorsBytes.Split(_good);
        var entry = FirstTensor(header, out var name);
        var shape = entry["shape"]!.AsArray().Select(d => d!.GetValue<long>()).ToArray();
        long elements = shape.Aggregate(1L, (a, b) => a * b);
        entry["shape"] = new JsonArray(elements);   // same bytes, flattened
        AssertRejected(SafeTensorsBytes.Join(header, data), $"'{name}' of shape [{elements}]");
    }

    [Fact]
    public void MissingTensor()
    {
        var (header, data) = SafeTensorsBytes.Split(_good);
        FirstTensor(header, out var name);
        header.Remove(name);
        AssertRejected(SafeTensorsBytes.Join(header, data), $"missing tensor '{name}'");
    }

    [Fact]
    public void NotAModelFile()
    {
        var (header, data) = SafeTensorsBytes.Split(_good);
        header["__metadata__"]!["format"] = "something-else";
        AssertRejected(SafeTensorsBytes.Join(header, data), "not a Neural Photo Edit model");
    }

    [Fact]
    public void AbsurdConfig()
    {
        var (header, data) = SafeTensorsBytes.Split(_good);
        var config = JsonNode.Parse(header["__metadata__"]!["config"]!.GetValue<string>())!;
        config["trunk_widths"] = new JsonArray(100000, 100000, 100000);
        header["__metadata__"]!["config"] = config.ToJsonString();
        AssertRejected(SafeTensorsBytes.Join(header, data), "unusable config");
    }

    /// <summary>A mistyped config names the entry in words, not the JSON reader's .NET types and byte
    /// positions; a config that is not an object says so.</summary>
    [Fact]
    public void AMistypedConfigNamesTheEntry()
    {
        var (header, data) = SafeTensorsBytes.Split(_good);
        var config = JsonNode.Parse(header["__metadata__"]!["config"]!.GetValue<string>())!;
        config["latent_size"] = "one hundred";
        header["__metadata__"]!["config"] = config.ToJsonString();
        AssertRejected(SafeTensorsBytes.Join(header, data), "its config's 'latent_size' holds the wrong kind of value");
        header["__metadata__"]!["config"] = "[1, 2]";
        AssertRejected(SafeTensorsBytes.Join(header, data), "its config is not a JSON object of model settings");
    }

    /// <summary>A name read from a damaged file never carries a raw control character into a message.</summary>
    [Fact]
    public void AnUnknownDtypeWithANulByteIsPrintedEscaped()
    {
        var (header, data) = SafeTensorsBytes.Split(_good);
        FirstTensor(header, out _)["dtype"] = "F\0X";
        var error = Assert.Throws<ModelFileException>(() =>
        {
            string path = _temp.File("nul.safetensors");
            File.WriteAllBytes(path, SafeTensorsBytes.Join(header, data));
            ModelFile.Load(path).Dispose();
        });
        Assert.Contains("unknown dtype 'F\\x00X'", error.Message);
        Assert.DoesNotContain('\0', error.Message);
    }

    /// <summary>Finite weights that overflow on ordinary codes (every weight 10²⁰: the decoder's output is
    /// infinite or NaN) are refused at load, in words, not found by luck in an edit later.</summary>
    [Fact]
    public void WeightsThatDecodeToNonFiniteValuesAreRefusedAtLoad()
    {
        var (header, data) = SafeTensorsBytes.Split(_good);
        foreach (var (name, node) in header.Where(kv => kv.Key != "__metadata__" && kv.Key.EndsWith("weight")).ToList())
        {
            var entry = node!.AsObject();
            if (entry["dtype"]!.GetValue<string>() != "F32") continue;
            long begin = entry["data_offsets"]![0]!.GetValue<long>(), end = entry["data_offsets"]![1]!.GetValue<long>();
            for (long o = begin; o < end; o += 4) BitConverter.GetBytes(1e20f).CopyTo(data, o);
        }
        AssertRejected(SafeTensorsBytes.Join(header, data), "is damaged: it turns ordinary codes or images into invalid values (NaN or infinity)");
    }

    [Fact]
    public void NonFiniteWeights()
    {
        var (header, data) = SafeTensorsBytes.Split(_good);
        var entry = FirstTensor(header, out var name);
        long begin = entry["data_offsets"]![0]!.GetValue<long>();
        BitConverter.GetBytes(float.NaN).CopyTo(data, begin);
        AssertRejected(SafeTensorsBytes.Join(header, data), $"non-finite values (NaN or infinity) in tensor '{name}'");
    }

    [Fact]
    public void MissingFile()
    {
        var error = Assert.Throws<ModelFileException>(() => ModelFile.Load(_temp.File("nope.safetensors")));
        Assert.Contains("cannot be opened", error.Message);
    }

    [Fact]
    public void APhotoACheckpointAndAFolderPassedAsTheModelAreNamedForWhatTheyAre()
    {
        string photo = Path.Combine(TestSupport.DemoFolder, "valley.jpg");
        Assert.Contains("is not a model file (.safetensors)", Assert.Throws<ModelFileException>(() => ModelFile.Load(photo)).Message);
        Assert.Contains("is a folder", Assert.Throws<ModelFileException>(() => DefaultModel.Resolve(TestSupport.DemoFolder)).Message);
        var (header, data) = SafeTensorsBytes.Split(_good);
        header["adam.d.0.exp_avg"] = new JsonObject { ["dtype"] = "F32", ["shape"] = new JsonArray(0), ["data_offsets"] = new JsonArray(0, 0) };
        string checkpoint = _temp.File("checkpoint.safetensors");
        File.WriteAllBytes(checkpoint, SafeTensorsBytes.Join(header, data));
        Assert.Contains("is a training checkpoint, not a model", Assert.Throws<ModelFileException>(() => ModelFile.Load(checkpoint)).Message);
    }

    [Fact]
    public void AVeryLongTensorNameIsShortenedInTheMessage()
    {
        var (header, data) = SafeTensorsBytes.Split(_good);
        string name = new string('x', 5000);
        header[name] = new JsonObject { ["dtype"] = "F32", ["shape"] = new JsonArray(0), ["data_offsets"] = new JsonArray(0, 0) };
        string path = _temp.File("long.safetensors");
        File.WriteAllBytes(path, SafeTensorsBytes.Join(header, data));
        var message = Assert.Throws<ModelFileException>(() => ModelFile.Load(path)).Message;
        Assert.True(message.Length < 200 + path.Length, message);
    }
}
