using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace NeuralPhotoEdit.Studio;

/// <summary>
/// Who may talk to the studio: requests to the loopback address it listens on (a Host header naming
/// anything else is a DNS-rebinding page, and gets 403), carrying this run's random token, from the
/// studio's own origin when a browser says where it comes from (another site's page, or its
/// WebSocket, gets 403).
/// </summary>
public sealed class StudioGuard
{
    readonly byte[] _token;

    public StudioGuard()
    {
        // 256 random bits: guessing it is out of reach, and it never leaves this machine.
        Token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        _token = Encoding.ASCII.GetBytes(Token);
    }

    public string Token { get; }

    /// <summary>The port the server listens on, once it does (every request is refused before).</summary>
    public int Port { get; set; }

    public bool IsTokenValid(string? token) =>
        token is not null && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(token), _token);

    /// <summary>Why <paramref name="request"/> is refused, or null when it may go on.</summary>
    public string? Refusal(HttpRequest request)
    {
        if (Port == 0) return "not ready";
        if (!IsLoopbackHost(request.Host)) return "host";
        string? origin = request.Headers.Origin;
        if (!string.IsNullOrEmpty(origin) && !IsOwnOrigin(origin)) return "origin";
        if (!IsTokenValid(request.Query["token"])) return "token";
        return null;
    }

    bool IsLoopbackHost(HostString host) =>
        host.Port == Port && host.Host is "127.0.0.1" or "localhost";

    bool IsOwnOrigin(string origin) =>
        origin == $"http://127.0.0.1:{Port}" || origin == $"http://localhost:{Port}";
}
