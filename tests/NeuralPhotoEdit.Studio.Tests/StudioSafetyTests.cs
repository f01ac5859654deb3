using System.Buffers.Binary;
using System.IO.Compression;
using System.Net;
using System.Net.WebSockets;
using System.Text;

namespace NeuralPhotoEdit.Studio.Tests;

/// <summary>The studio is a server on the user's machine: who may talk to it, and what bad input gets.</summary>
public sealed class StudioSafetyTests(StudioFixture studio, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<StudioFixture>
{
    Uri Base => new($"http://127.0.0.1:{studio.Server.Port}/");
    string Token => studio.Server.Token;

    static async Task<HttpStatusCode> GetAsync(Uri uri, params (string Name, string Value)[] headers)
    {
        using var client = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        foreach (var (name, value) in headers)
            if (name == "Host") request.Headers.Host = value;
            else request.Headers.Add(name, value);
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    [Fact]
    public async Task EveryRequestNeedsTheTokenTheLoopbackHostAndTheStudiosOrigin()
    {
        Assert.Equal(HttpStatusCode.OK, await GetAsync(new Uri(Base, $"?token={Token}")));
        Assert.Equal(HttpStatusCode.OK, await GetAsync(new Uri(Base, $"studio.js?token={Token}")));
        Assert.Equal(HttpStatusCode.Forbidden, await GetAsync(Base));
        Assert.Equal(HttpStatusCode.Forbidden, await GetAsync(new Uri(Base, "studio.js")));
        string wrong = Token[..^1] + (Token[^1] == '0' ? '1' : '0');   // one hex digit off
        Assert.Equal(HttpStatusCode.Forbidden, await GetAsync(new Uri(Base, $"?token={wrong}")));
        Assert.Equal(HttpStatusCode.Forbidden, await GetAsync(new Uri(Base, $"?token={Token}"), ("Host", $"attacker.example:{studio.Server.Port}")));
        Assert.Equal(HttpStatusCode.Forbidden, await GetAsync(new Uri(Base, $"?token={Token}"), ("Origin", "http://attacker.example")));
        // Only the page's own files: nothing else, and no path reaches the disk.
        Assert.Equal(HttpStatusCode.NotFound, await GetAsync(new Uri(Base, $"StudioServer.cs?token={Token}")));
        Assert.Equal(HttpStatusCode.NotFound, await GetAsync(new Uri(Base, $"..%2F..%2Fetc%2Fpasswd?token={Token}")));
        Assert.True(studio.Server.Address.IsLoopback);
    }

    [Fact]
    public async Task AWebSocketWithoutTheTokenOrFromAnotherOriginIsRefused()
    {
        foreach (var (query, origin) in new[] { ("", $"http://127.0.0.1:{studio.Server.Port}"), ($"?token={Token}", "http://attacker.example") })
        {
            using var socket = new ClientWebSocket();
            socket.Options.SetRequestHeader("Origin", origin);
            var e = await Assert.ThrowsAsync<WebSocketException>(() =>
                socket.ConnectAsync(new Uri($"ws://127.0.0.1:{studio.Server.Port}/live{query}"), default));
            Assert.Contains("403", e.Message);
        }
        // With the token, but a message without it: refused in words, and the socket stays open.
        using var connected = await ConnectAsync();
        await SendTextAsync(connected, """{"type":"undo"}""");
        Assert.Contains("access token", await NextErrorAsync(connected));
    }

    [Fact]
    public async Task BadMessagesGetASentenceAndTheStudioKeepsServing()
    {
        using var socket = await ConnectAsync();
        await SendTextAsync(socket, "not json at all");
        Assert.Contains("could not read", await NextErrorAsync(socket));
        await SendTextAsync(socket, $$"""{"type":"begin","tool":"colour","colour":"#ff0000","size":10,"x":5000,"y":10,"token":"{{Token}}"}""");
        Assert.Contains("outside the 720×360 photo", await NextErrorAsync(socket));
        await SendTextAsync(socket, $$"""{"type":"settings","stepSize":99,"token":"{{Token}}"}""");
        Assert.Contains("stepSize outside", await NextErrorAsync(socket));
        await SendTextAsync(socket, $$"""{"type":"move","points":[{{string.Join(",", Enumerable.Repeat("1.5", 200_000))}}],"token":"{{Token}}"}""");
        Assert.Contains("larger than it accepts", await NextErrorAsync(socket));
        await SendTextAsync(socket, $$"""{"type":"begin","tool":"colour","colour":"#ff0000","size":10,"x":50,"y":10,"token":"{{Token}}"}""");
        await SendTextAsync(socket, $$"""{"type":"move","points":["a","b"],"token":"{{Token}}"}""");
        Assert.Contains("not a number", await NextErrorAsync(socket));
        await SendTextAsync(socket, $$"""{"type":"latent","indices":["x"],"token":"{{Token}}"}""");
        Assert.Contains("latent index", await NextErrorAsync(socket));
        await SendTextAsync(socket, $$"""{"type":"format-disk","token":"{{Token}}"}""");
        Assert.Contains("does not know the request", await NextErrorAsync(socket));
        // A file nobody asked for, then files that are no image, empty, or a decompression bomb.
        await socket.SendAsync(new byte[] { 1, 2, 3 }, WebSocketMessageType.Binary, true, default);
        Assert.Contains("did not ask for", await NextErrorAsync(socket));
        foreach (var (file, says) in new[] { (Encoding.ASCII.GetBytes("<html>not an image</html>"), "not an image"), ([], "empty"),
            (BombPng(60_000, 60_000), "megapixels") })
        {
            await SendTextAsync(socket, $$"""{"type":"open","name":"upload.png","token":"{{Token}}"}""");
            await socket.SendAsync(file, WebSocketMessageType.Binary, true, default);
            Assert.Contains(says, await NextErrorAsync(socket));
        }
        Assert.Equal(WebSocketState.Open, socket.State);
        Assert.Equal(HttpStatusCode.OK, await GetAsync(new Uri(Base, $"?token={Token}")));
    }

    [Fact]
    public async Task ABombUploadedFromThePageGetsAMessageInThePage()
    {
        var page = await studio.OpenAsync();
        string bomb = Path.Combine(Path.GetTempPath(), $"bomb-{Guid.NewGuid():N}.png");
        await File.WriteAllBytesAsync(bomb, BombPng(100_000, 100_000));
        try
        {
            await page.Page.SetInputFilesAsync("#file", bomb);
            await page.Page.WaitForFunctionAsync("() => document.querySelector('#message').textContent.length > 0");
            Assert.Contains("megapixels", await page.MessageAsync());
            await page.WaitIdleAsync();
            await page.PaintAsync((100, 40), (180, 45));   // the page and its session still work
            Assert.Equal(720, (await page.PixelsAsync()).Width);
        }
        finally { File.Delete(bomb); }
        await page.CloseAsync();
    }

    /// <summary>Closing the page (the browser's tab) ends its session.</summary>
    [Fact]
    public async Task ClosingThePageEndsItsSession()
    {
        await WaitForPagesAsync(0);   // the other tests' pages have closed
        var page = await studio.OpenAsync();
        Assert.Equal(1, studio.Server.OpenPages);
        await page.PaintAsync((100, 40), (180, 45));
        await page.CloseAsync();
        await WaitForPagesAsync(0);
    }

    /// <summary>What a page held is freed when it closes: once the process has warmed up (the model, the
    /// JIT's code, the allocators' and Kestrel's pools: the first dozen pages), more pages that each paint a
    /// stroke and close leave its memory where it was: within a few megabytes managed, and resident memory
    /// doesn't grow window after window. (glibc's arenas settle by tens of megabytes, more after the other
    /// tests' pages: +30 MB alone, +89 MB once after them over one window; a leak grows in every window.)
    /// Pages here are plain WebSocket clients, so only the server's memory is in the process.</summary>
    [Fact]
    public async Task ClosedPagesLeaveTheProcessMemoryWhereItWas()
    {
        for (int i = 0; i < 12; i++) await PaintOneStrokeAndCloseAsync();
        var windows = new List<(long Managed, long Resident)> { Memory() };
        for (int window = 0; window < 2; window++)
        {
            for (int i = 0; i < 8; i++) await PaintOneStrokeAndCloseAsync();
            windows.Add(Memory());
        }
        output.WriteLine("after 12, 20 and 28 pages: " + string.Join("; ", windows.Select(w => $"managed {w.Managed / 1e6:F1} MB, resident " +
            $"{w.Resident / 1e6:F1} MB")));
        Assert.True(windows[2].Managed - windows[0].Managed < 6e6, $"managed memory grew by {(windows[2].Managed - windows[0].Managed) / 1e6:F1} " +
            $"MB over sixteen closed pages");
        var growth = windows.Zip(windows.Skip(1), (before, after) => (after.Resident - before.Resident) / 1e6).ToList();
        Assert.True(growth.Any(g => g < 60), $"the process grew by {growth[0]:F1} MB and then {growth[1]:F1} MB over two windows of eight closed " +
            $"pages");
    }

    async Task PaintOneStrokeAndCloseAsync()
    {
        await WaitForPagesAsync(0);
        using (var socket = await ConnectAsync())
        {
            await SendTextAsync(socket, $$"""{"type":"begin","tool":"colour","colour":"#ff8000","size":25,"x":100,"y":40,"token":"{{Token}}"}""");
            for (int k = 0; k < 10; k++)
            {
                await SendTextAsync(socket, $$"""{"type":"move","points":[{{100 + 8 * k}},{{40 + k}}],"token":"{{Token}}"}""");
                await Task.Delay(30);
            }
            await SendTextAsync(socket, $$"""{"type":"end","token":"{{Token}}"}""");
            await NextMessageAsync(socket, json => json.GetProperty("type").GetString() == "latents");   // the stroke's result came
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "", default);
        }
        await WaitForPagesAsync(0);
    }

    async Task WaitForPagesAsync(int count)
    {
        for (int i = 0; i < 100 && studio.Server.OpenPages != count; i++) await Task.Delay(100);
        Assert.Equal(count, studio.Server.OpenPages);
    }

    static (long Managed, long Resident) Memory()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var self = System.Diagnostics.Process.GetCurrentProcess();
        return (GC.GetTotalMemory(forceFullCollection: true), self.WorkingSet64);
    }

    async Task<ClientWebSocket> ConnectAsync()
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Origin", $"http://127.0.0.1:{studio.Server.Port}");
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{studio.Server.Port}/live?token={Token}"), default);
        return socket;
    }

    static Task SendTextAsync(ClientWebSocket socket, string text) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, default);

    /// <summary>The text of the next error message (frames and other messages are skipped).</summary>
    static async Task<string> NextErrorAsync(ClientWebSocket socket) =>
        (await NextMessageAsync(socket, json => json.GetProperty("type").GetString() == "error")).GetProperty("text").GetString()!;

    /// <summary>The next text message that <paramref name="wanted"/> accepts.</summary>
    static async Task<System.Text.Json.JsonElement> NextMessageAsync(ClientWebSocket socket, Func<System.Text.Json.JsonElement, bool> wanted)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var buffer = new byte[1 << 20];
        while (true)
        {
            using var message = new MemoryStream();
            WebSocketReceiveResult part;
            do
            {
                part = await socket.ReceiveAsync(buffer, timeout.Token);
                message.Write(buffer, 0, part.Count);
            } while (!part.EndOfMessage);
            if (part.MessageType != WebSocketMessageType.Text) continue;
            using var json = System.Text.Json.JsonDocument.Parse(message.ToArray());
            if (wanted(json.RootElement)) return json.RootElement.Clone();
        }
    }

    /// <summary>A valid, tiny PNG whose header declares <paramref name="width"/>×<paramref name="height"/>
    /// pixels: decoding it would take gigabytes.</summary>
    internal static byte[] BombPng(int width, int height)
    {
        using var png = new MemoryStream();
        png.Write([137, 80, 78, 71, 13, 10, 26, 10]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8;   // 8 bits, greyscale
        Chunk(png, "IHDR", header);
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true))
            zlib.Write(new byte[(width + 1) * 16]);   // a few rows of zeros
        Chunk(png, "IDAT", compressed.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    static void Chunk(Stream png, string type, byte[] data)
    {
        var length = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        png.Write(length);
        var typed = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        png.Write(typed);
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32(typed));
        png.Write(crc);
    }

    /// <summary>PNG's chunk checksum (CRC-32, polynomial 0xEDB88320), bit by bit: a few bytes in a test.</summary>
    static uint Crc32(byte[] data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB88320 ^ (crc >> 1) : crc >> 1;
        }
        return ~crc;
    }
}
