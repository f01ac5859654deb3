using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace NeuralPhotoEdit.ModelFiles;

/// <summary>One tensor's entry in a safetensors header: dtype, shape and byte range in the data section.</summary>
public sealed record SafeTensorEntry(string Name, string DType, long[] Shape, long Begin, long End)
{
    public long ByteLength => End - Begin;
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);
}

/// <summary>
/// Reads and validates the header of a safetensors file (8-byte little-endian header length, a JSON
/// header, raw little-endian tensor bytes). Every structural check happens here, in managed code,
/// before any byte reaches libtorch: a file that passes can be copied into tensors safely.
/// Written by hand because the format is small and no maintained .NET safetensors reader exists on
/// the package feeds this project can use.
/// </summary>
public sealed class SafeTensorsHeader
{
    /// <summary>Headers are small (names, shapes, offsets); the reference implementation caps them at 100 MB.</summary>
    public const long MaxHeaderBytes = 100L * 1024 * 1024;

    public static readonly IReadOnlyDictionary<string, int> DTypeSizes = new Dictionary<string, int>
    {
        ["F32"] = 4, ["F16"] = 2, ["BF16"] = 2, ["F64"] = 8,
        ["I64"] = 8, ["I32"] = 4, ["I16"] = 2, ["I8"] = 1, ["U8"] = 1, ["BOOL"] = 1,
    };

    public required string Path { get; init; }
    public required IReadOnlyDictionary<string, string> Metadata { get; init; }
    public required IReadOnlyDictionary<string, SafeTensorEntry> Tensors { get; init; }
    /// <summary>Offset of the data section from the start of the file.</summary>
    public required long DataStart { get; init; }

    public static SafeTensorsHeader Read(string path)
    {
        using var stream = OpenForReading(path);
        return Read(stream, path);
    }

    public static FileStream OpenForReading(string path)
    {
        try { return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelFileException(path, $"cannot be opened: {e.Message}");
        }
    }

    public static SafeTensorsHeader Read(Stream stream, string path)
    {
        ModelFileException Bad(string problem) => new(path, problem);

        long fileLength = stream.Length;
        if (fileLength < 8) throw Bad($"is too short to be a safetensors file ({fileLength} bytes; the header length alone takes 8)");

        Span<byte> lengthBytes = stackalloc byte[8];
        stream.Position = 0;
        stream.ReadExactly(lengthBytes);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength < 2) throw Bad($"declares a header of {headerLength} bytes, too short for JSON");
        // A photo or any other file passed by mistake starts with bytes that read as an absurd header
        // length; say what the file is not rather than quote the number.
        if (headerLength > MaxHeaderBytes) throw Bad("is not a model file (.safetensors): its first bytes are not a safetensors header");
        if ((long)headerLength > fileLength - 8) throw Bad($"is truncated or not a model file: it declares a {headerLength}-byte header but has " +
            $"only {fileLength - 8} bytes after it");

        var headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        long dataStart = 8 + (long)headerLength;
        long dataLength = fileLength - dataStart;

        JsonDocument document;
        try { document = JsonDocument.Parse(headerBytes, new JsonDocumentOptions { MaxDepth = 8 }); }
        catch (JsonException) { throw Bad("has a damaged header (not valid JSON)"); }

        using (document)
        try
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object) throw Bad("has a header that is not a JSON object");
            var metadata = new Dictionary<string, string>();
            var tensors = new Dictionary<string, SafeTensorEntry>();
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name == "__metadata__")
                {
                    if (property.Value.ValueKind != JsonValueKind.Object) throw Bad("has __metadata__ that is not an object");
                    foreach (var m in property.Value.EnumerateObject())
                    {
                        if (m.Value.ValueKind != JsonValueKind.String) throw Bad($"has metadata {Quote(m.Name)} that is not a string");
                        metadata[m.Name] = m.Value.GetString()!;
                    }
                    continue;
                }
                if (tensors.ContainsKey(property.Name)) throw Bad($"lists tensor {Quote(property.Name)} twice");
                tensors[property.Name] = ParseEntry(property.Name, property.Value, dataLength, Bad);
            }
            CheckRangesDoNotOverlap(tensors.Values, Bad);
            return new SafeTensorsHeader { Path = path, Metadata = metadata, Tensors = tensors, DataStart = dataStart };
        }
        // Names and strings that are not valid UTF-8 surface only when read.
        catch (InvalidOperationException) { throw Bad("has a damaged header (text that is not valid UTF-8)"); }
    }

    /// <summary>A tensor name as messages quote it: a damaged file's names can be thousands of characters long.</summary>
    /// <summary>A name read from a file, quoted for a message: at most 60 characters, printable
    /// (<see cref="PrintableText"/>) so the message stays one line.</summary>
    public static string Quote(string name) => "'" + PrintableText.Of(name.Length <= 60 ? name : name[..57] + "…") + "'";

    static SafeTensorEntry ParseEntry(string name, JsonElement value, long dataLength, Func<string, ModelFileException> bad)
    {
        if (value.ValueKind != JsonValueKind.Object) throw bad($"has tensor {Quote(name)} whose entry is not an object");
        if (!value.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
            throw bad($"has tensor {Quote(name)} without a dtype");
        string dtype = dtypeElement.GetString()!;
        if (!DTypeSizes.TryGetValue(dtype, out int elementSize)) throw bad($"has tensor {Quote(name)} with unknown dtype {Quote(dtype)}");

        if (!value.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
            throw bad($"has tensor {Quote(name)} without a shape");
        var shape = new List<long>();
        foreach (var d in shapeElement.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out long size) || size < 0)
                throw bad($"has tensor {Quote(name)} with an invalid dimension in its shape");
            shape.Add(size);
        }
        if (shape.Count > 8) throw bad($"has tensor {Quote(name)} with {shape.Count} dimensions (at most 8)");

        if (!value.TryGetProperty("data_offsets", out var offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2)
            throw bad($"has tensor {Quote(name)} without data_offsets [begin, end]");
        if (!offsets[0].TryGetInt64(out long begin) || !offsets[1].TryGetInt64(out long end) || begin < 0 || end < begin)
            throw bad($"has tensor {Quote(name)} with invalid data_offsets");
        if (end > dataLength)
            throw bad($"has tensor {Quote(name)} whose bytes [{begin}, {end}) lie outside the file's {dataLength}-byte data section (truncated?)");

        // Checked multiplication: a shape like [2^40, 2^40] must not wrap around to a small number.
        long elements = 1;
        try
        {
            foreach (long d in shape) elements = checked(elements * d);
            long bytes = checked(elements * elementSize);
            if (bytes != end - begin)
                throw bad($"has tensor {Quote(name)} whose shape [{string.Join(", ", shape)}] × {dtype} needs {bytes} bytes but its range holds " +
                    $"{end - begin}");
        }
        catch (OverflowException) { throw bad($"has tensor {Quote(name)} whose shape is impossibly large"); }

        return new SafeTensorEntry(name, dtype, shape.ToArray(), begin, end);
    }

    static void CheckRangesDoNotOverlap(IEnumerable<SafeTensorEntry> entries, Func<string, ModelFileException> bad)
    {
        SafeTensorEntry? previous = null;
        foreach (var entry in entries.Where(e => e.ByteLength > 0).OrderBy(e => e.Begin))
        {
            if (previous is not null && entry.Begin < previous.End)
                throw bad($"has tensors {Quote(previous.Name)} and {Quote(entry.Name)} whose byte ranges overlap");
            previous = entry;
        }
    }

    public static string DescribeShape(IEnumerable<long> shape) => "[" + string.Join(", ", shape) + "]";

    internal static byte[] Encode(IReadOnlyDictionary<string, string> metadata, IEnumerable<SafeTensorEntry> entries)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject("__metadata__");
            foreach (var (key, value) in metadata) json.WriteString(key, value);
            json.WriteEndObject();
            foreach (var e in entries)
            {
                json.WriteStartObject(e.Name);
                json.WriteString("dtype", e.DType);
                json.WriteStartArray("shape");
                foreach (long d in e.Shape) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(e.Begin);
                json.WriteNumberValue(e.End);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        // The format pads the header with spaces so the data section starts 8-byte aligned.
        int padding = (int)((8 - buffer.Length % 8) % 8);
        for (int i = 0; i < padding; i++) buffer.WriteByte((byte)' ');
        return buffer.ToArray();
    }
}

/// <summary>A model or checkpoint file that can't be used; the message names the file and the problem.</summary>
public sealed class ModelFileException(string path, string problem)
    : Exception($"Model file '{path}' {problem}.")
{
    public string FilePath { get; } = path;
}
