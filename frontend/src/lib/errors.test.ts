import { describe, expect, it } from "vitest";
import { ApiError, errorsOf, parseErrors, splitErrors } from "./errors";

describe("parseErrors", () => {
  it("keeps our envelope as it is", () => {
    const body = { status: 409, errors: [{ code: "rupture_not_open", message: "It is closed.", param: null }] };
    expect(parseErrors(409, body)).toEqual({
      status: 409,
      errors: [{ code: "rupture_not_open", message: "It is closed.", param: null }],
    });
  });

  it("reads allauth's envelope, where param may be missing", () => {
    const body = {
      status: 400,
      errors: [
        { message: "Enter a valid email address.", code: "invalid", param: "email" },
        { message: "Incorrect code.", code: "incorrect_code" },
      ],
    };
    expect(parseErrors(400, body).errors).toEqual([
      { code: "invalid", message: "Enter a valid email address.", param: "email" },
      { code: "incorrect_code", message: "Incorrect code.", param: null },
    ]);
  });

  it("prefers the status inside the body", () => {
    expect(parseErrors(200, { status: 400, errors: [{ code: "x", message: "m" }] }).status).toBe(400);
  });

  it("reads anything else by its status: allauth's 401 with flows is not an error list", () => {
    expect(parseErrors(401, { status: 401, data: { flows: [] }, meta: { is_authenticated: false } }).errors[0]?.code).toBe(
      "not_authenticated",
    );
  });

  it("gives a friendly message for HTML pages, empty bodies and network failures", () => {
    expect(parseErrors(502, "<html>Bad gateway</html>").errors[0]?.code).toBe("server_error");
    expect(parseErrors(429, null).errors[0]?.code).toBe("throttled");
    expect(parseErrors(0, null).errors[0]).toMatchObject({ code: "network", param: null });
  });

  it("never returns an empty list", () => {
    expect(parseErrors(400, { status: 400, errors: [] }).errors).toHaveLength(1);
    expect(parseErrors(418, {}).errors).toHaveLength(1);
  });
});

describe("splitErrors", () => {
  it("puts errors next to the fields the form shows and the rest in the summary", () => {
    const { byField, general } = splitErrors(
      [
        { code: "invalid", message: "Bad email.", param: "email" },
        { code: "invalid", message: "Also bad.", param: "email" },
        { code: "x", message: "Unknown field.", param: "username" },
        { code: "y", message: "General.", param: null },
      ],
      ["email", "password"],
    );
    expect(byField).toEqual({ email: ["Bad email.", "Also bad."] });
    expect(general).toEqual(["Unknown field.", "General."]);
  });
});

describe("errorsOf", () => {
  it("unwraps ApiError, and maps fetch's TypeError to the network message", () => {
    const err = new ApiError(parseErrors(409, { status: 409, errors: [{ code: "c", message: "m", param: null }] }));
    expect(errorsOf(err)).toEqual([{ code: "c", message: "m", param: null }]);
    expect(err.hasCode("c")).toBe(true);
    expect(errorsOf(new TypeError("Failed to fetch"))[0]?.code).toBe("network");
    expect(errorsOf(new Error("bug"))[0]?.code).toBe("server_error");
  });
});
