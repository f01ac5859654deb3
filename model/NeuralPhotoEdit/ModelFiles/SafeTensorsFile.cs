using static TorchSharp.torch;

namespace NeuralPhotoEdit.ModelFiles;

/// <summary>Writes tensors to, and reads validated tensors from, safetensors files.</summary>
public static class SafeTensorsFile
{
    static readonly Dictionary<string, ScalarType> ScalarTypes = new()
    {
        ["F32"] = ScalarType.Float32, ["F16"] = ScalarType.Float16, ["BF16"] = ScalarType.BFloat16,
        ["F64"] = ScalarType.Float64, ["I64"] = ScalarType.Int64, ["I32"] = ScalarType.Int32,
        ["I16"] = ScalarType.Int16, ["I8"] = ScalarType.Int8, ["U8"] = ScalarType.Byte, ["BOOL"] = ScalarType.Bool,
    };

    static string DTypeOf(ScalarType type) =>
        ScalarTypes.FirstOrDefault(kv => kv.Value == type).Key
        ?? throw new NotSupportedException($"Tensors of type {type} can't be stored in a safetensors file.");

    /// <summary>
    /// Writes atomically (<see cref="AtomicFile"/>), so a crash mid-write never leaves a half-written
    /// file in its place.
    /// With <paramref name="halfPrecision"/>, float32 tensors are stored as float16.
    /// </summary>
    public static void Write(string path, IReadOnlyDictionary<string, string> metadata,
                             IEnumerable<(string Name, Tensor Tensor)> tensors, bool halfPrecision = false)
    {
        // The scope keeps every converted copy (and the temporaries on the way) referenced until the
        // bytes are written, and frees them afterwards.
        using var scope = NewDisposeScope();
        var prepared = new List<(SafeTensorEntry Entry, Tensor Data)>();
        long offset = 0;
        foreach (var (name, tensor) in tensors)
        {
            var data = tensor.detach().cpu();
            if (halfPrecision && data.dtype == ScalarType.Float32) data = data.to(ScalarType.Float16);
            data = data.contiguous();
            long length = data.NumberOfElements * data.ElementSize;
            prepared.Add((new SafeTensorEntry(name, DTypeOf(data.dtype), data.shape, offset, offset + length), data));
            offset += length;
        }

        byte[] header = SafeTensorsHeader.Encode(metadata, prepared.Select(p => p.Entry));
        AtomicFile.Write(path, stream =>
        {
            Span<byte> length = stackalloc byte[8];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
            stream.Write(length);
            stream.Write(header);
            foreach (var (_, data) in prepared) stream.Write(data.bytes);
        });
    }

    /// <summary>
    /// Reads one validated entry into a new CPU tensor of its stored dtype. The header has already
    /// proven the byte range lies inside the file and matches the shape.
    /// </summary>
    public static Tensor ReadTensor(SafeTensorsHeader header, Stream stream, SafeTensorEntry entry)
    {
        var bytes = new byte[entry.ByteLength];
        stream.Position = header.DataStart + entry.Begin;
        stream.ReadExactly(bytes);
        var tensor = empty(entry.Shape, ScalarTypes[entry.DType]);
        if (bytes.Length > 0) tensor.bytes = bytes;
        return tensor;
    }
}
