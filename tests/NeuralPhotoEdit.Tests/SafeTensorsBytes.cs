using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;

namespace NeuralPhotoEdit.Tests;

/// <summary>Takes a safetensors file apart into its JSON header and data section and puts one back
/// together — for tests that damage files on purpose.</summary>
static class SafeTensorsBytes
{
    public static (JsonObject Header, byte[] Data) Split(byte[] file)
    {
        int length = (int)BinaryPrimitives.ReadUInt64LittleEndian(file);
        var header = JsonNode.Parse(Encoding.UTF8.GetString(file, 8, length))!.AsObject();
        return (header, file[(8 + length)..]);
    }

    public static byte[] Join(JsonObject header, byte[] data)
    {
        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        var file = new byte[8 + json.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)json.Length);
        json.CopyTo(file, 8);
        data.CopyTo(file, 8 + json.Length);
        return file;
    }
}
