// The flow of docs/app-developers.md in JavaScript with fetch (Node 18 or later, or a browser): register, verify a
// phone, sign in, connect, post, read the feed, comment, react, search, list an item, order and pay.
//
// Run it against a development server that holds the demo data:
//
//     make serve                                  # terminal 1: Neo4j and the API on http://127.0.0.1:8000/graphql
//     .venv/bin/hanoismart seed --demo            # terminal 2, once: the demo accounts (An sells, Đức buys)
//     node docs/examples/flow.mjs                 # HANOISMART_API=<url> to call another server
//
// Each run registers a new person, so it can be run again and again (a development server allows 20 registrations
// an hour from one address).

const API = process.env.HANOISMART_API ?? "http://127.0.0.1:8000/graphql";
const DEMO_PASSWORD = "Phố cổ Hà Nội 36 phố phường"; // every demo account's, printed by `hanoismart seed --demo`
const SELLER = "an.nguyen@example.vn"; // Nguyễn Văn An, level 2
const BUYER = "duc.hoang@example.vn"; // Hoàng Minh Đức, level 2

// [call]
/** The request failed as a whole: not signed in, not allowed, rate limited... (`extensions.code`). */
class TopLevelError extends Error {}

/** A mutation refused its input; `errors` lists every mistake with its code, field path and message. */
class InputRejected extends Error {
  constructor(errors) {
    super(errors.map((e) => `${e.code} ${e.field}: ${e.message}`).join("; "));
    this.errors = errors;
  }
}

/** POST one document with its variables; the `data` of the answer, or TopLevelError. */
async function graphql(query, variables = {}, token = null, language = "en") {
  const headers = { "Content-Type": "application/json", "Accept-Language": language };
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(API, { method: "POST", headers, body: JSON.stringify({ query, variables }) });
  const body = await response.json();
  if (body.errors?.length) {
    const [first] = body.errors;
    throw new TopLevelError(`${first.extensions.code}: ${first.message}`);
  }
  return body.data;
}

/** Run a mutation (one `input` object); its payload, or InputRejected with the payload's `errors`. */
async function mutate(field, document, input, token = null, language = "en") {
  const payload = (await graphql(document, { input }, token, language))[field];
  if (payload.errors.length) throw new InputRejected(payload.errors);
  return payload;
}
// [/call]

const REGISTER = `
mutation Register($input: PersonRegisterInput!) {
  personRegister(input: $input) {
    person { id displayName verificationLevel }
    tokens { accessToken refreshToken }
    errors { code field message }
  }
}`;
const SIGN_IN = `
mutation SignIn($input: SessionLoginInput!) {
  sessionLogin(input: $input) { tokens { accessToken refreshToken } errors { code field message } }
}`;
const REFRESH = `
mutation Refresh($input: SessionRefreshInput!) {
  sessionRefresh(input: $input) { tokens { accessToken refreshToken } errors { code field message } }
}`;
const ME = "query Me { me { id displayName verificationLevel contacts { id kind value verifiedAt } } }";
const SEND_CODE = `
mutation SendCode($input: ContactVerificationStartInput!) {
  contactVerificationStart(input: $input) { contact { id } errors { code field message } }
}`;
const CODES = "query Codes($to: String!) { developmentMessages(to: $to) { code sentAt } }";
const CHECK_CODE = `
mutation CheckCode($input: ContactVerificationCompleteInput!) {
  contactVerificationComplete(input: $input) { person { verificationLevel } errors { code field message } }
}`;
const CONNECT = `
mutation Connect($input: ConnectionRequestInput!) {
  connectionRequest(input: $input) { relation { requestSent connected } errors { code field message } }
}`;
const ACCEPT = `
mutation Accept($input: ConnectionAcceptInput!) {
  connectionAccept(input: $input) { relation { connected } errors { code field message } }
}`;
const POST = `
mutation Post($input: PostCreateInput!) {
  postCreate(input: $input) { post { id text ward { fullName } } errors { code field message } }
}`;
const FEED = `
query Feed($first: Int, $after: String) {
  feed(first: $first, after: $after) {
    nodes { id text author { displayName } }
    pageInfo { hasNextPage endCursor }
  }
}`;
const COMMENT = `
mutation Comment($input: CommentCreateInput!) {
  commentCreate(input: $input) { comment { id text } errors { code field message } }
}`;
const REACT = `
mutation React($input: ReactionSetInput!) {
  reactionSet(input: $input) { errors { code field message } }
}`;
const POST_DETAILS = `
query PostDetails($id: ID!) {
  node(id: $id) {
    ... on Post { text reactions { total } comments(first: 10) { nodes { text author { displayName } } } }
  }
}`;
const SEARCH = `
query Search($text: String!, $listing: String!) {
  postSearch(text: $text, first: 3) { nodes { text author { displayName } } }
  listings(filter: {search: $listing}, first: 3) { nodes { title priceDong seller { displayName } } }
}`;
const LIST_ITEM = `
mutation ListItem($input: ListingCreateInput!) {
  listingCreate(input: $input) { listing { id title status priceDong } errors { code field message } }
}`;
const ORDER = `
mutation Order($input: OrderPlaceInput!) {
  orderPlace(input: $input) { order { id status totalDong } errors { code field message } }
}`;
const ACCEPT_ORDER = `
mutation AcceptOrder($input: OrderAcceptInput!) {
  orderAccept(input: $input) { order { status } errors { code field message } }
}`;
const TOP_UP = `
mutation TopUp($input: WalletTopUpInput!) {
  walletTopUp(input: $input) { wallet { balanceDong } errors { code field message } }
}`;
const PAY = `
mutation Pay($input: OrderPayInput!) {
  orderPay(input: $input) { order { id status } errors { code field message } }
}`;

/** An access token for a person (10 minutes; `sessionRefresh` gives the next one). */
async function signIn(identifier, password) {
  return (await mutate("sessionLogin", SIGN_IN, { identifier, password })).tokens.accessToken;
}

const randomDigits = (n) => String(Math.floor(Math.random() * 10 ** n)).padStart(n, "0");

async function main() {
  // [errors]
  // Every mistake of an input comes back at once, each with its path in the input, in the language asked for.
  const wrong = {
    fullName: "<b>Khoa</b>",
    dateOfBirth: "1996-08-19",
    sex: "MALE",
    roles: ["RESIDENT"],
    document: { kind: "CCCD", number: "123" },
    password: "123456",
    wardCode: "00070",
  };
  try {
    await mutate("personRegister", REGISTER, wrong, null, "vi");
  } catch (error) {
    if (!(error instanceof InputRejected)) throw error;
    for (const e of error.errors) console.log("refused:", e.code, (e.field ?? []).join("."), "-", e.message);
  }
  // [/errors]

  // [register]
  const phone = `091${1 + Math.floor(Math.random() * 9)}${randomDigits(6)}`;
  const password = "Mùa thu Hà Nội có hoa sữa 2026";
  const person = {
    fullName: "Đỗ Minh Khoa",
    dateOfBirth: "1996-08-19",
    sex: "MALE",
    roles: ["RESIDENT"],
    document: { kind: "CCCD", number: `001096${randomDigits(6)}` }, // agrees with birth and sex
    password,
    phone,
    wardCode: "00070", // Hoàn Kiếm: `communes` lists the 126 codes
  };
  const registered = await mutate("personRegister", REGISTER, person);
  const me = registered.person;
  let token = registered.tokens.accessToken;
  console.log("registered", me.displayName, "at level", me.verificationLevel);
  // [/register]

  // [verify-phone]
  const { contacts } = (await graphql(ME, {}, token)).me;
  const contact = contacts.find((c) => c.kind === "PHONE");
  await mutate("contactVerificationStart", SEND_CODE, { contactId: contact.id }, token);
  const [message] = (await graphql(CODES, { to: phone })).developmentMessages; // development servers only
  const checked = await mutate("contactVerificationComplete", CHECK_CODE, { contactId: contact.id, code: message.code }, token);
  console.log("phone", contact.value, "verified with code", message.code, "-> level", checked.person.verificationLevel);
  // [/verify-phone]

  // [sign-in]
  let { tokens } = await mutate("sessionLogin", SIGN_IN, { identifier: phone, password });
  ({ tokens } = await mutate("sessionRefresh", REFRESH, { refreshToken: tokens.refreshToken }));
  token = tokens.accessToken; // send it as `Authorization: Bearer <token>`
  console.log("signed in with the phone; refreshed the session");
  // [/sign-in]

  // [connect]
  const seller = await signIn(SELLER, DEMO_PASSWORD);
  const an = (await graphql(ME, {}, seller)).me;
  await mutate("connectionRequest", CONNECT, { actorId: an.id }, token);
  const accepted = await mutate("connectionAccept", ACCEPT, { actorId: me.id }, seller);
  console.log("connected with", an.displayName, accepted.relation);
  // [/connect]

  // [post]
  const hello = {
    text: "Xin chào Hà Nội! Mình là Khoa, mới chuyển về Hoàn Kiếm.",
    visibility: "PUBLIC",
    wardCode: "00070",
  };
  const { post } = await mutate("postCreate", POST, hello, token);
  console.log("posted in", post.ward.fullName, ":", post.text);
  // [/post]

  // [feed]
  const { feed } = await graphql(FEED, { first: 3 }, seller);
  console.log("An's feed, newest first:", feed.nodes.map((p) => p.text.slice(0, 30)));
  if (feed.pageInfo.hasNextPage) {
    const more = (await graphql(FEED, { first: 3, after: feed.pageInfo.endCursor }, seller)).feed;
    console.log("  next page:", more.nodes.map((p) => p.text.slice(0, 30)));
  }
  // [/feed]

  // [comment-react]
  await mutate("commentCreate", COMMENT, { postId: post.id, text: "Chào mừng Khoa đến Hoàn Kiếm!" }, seller);
  await mutate("reactionSet", REACT, { postId: post.id, kind: "LOVE" }, seller);
  const details = (await graphql(POST_DETAILS, { id: post.id }, token)).node;
  console.log("my post:", details.reactions.total, "reaction,", details.comments.nodes.map((c) => c.text));
  // [/comment-react]

  // [search]
  const found = await graphql(SEARCH, { text: "xin chao ha noi", listing: "am chen" }); // no token: what anyone sees
  console.log("posts found:", found.postSearch.nodes.map((p) => p.author.displayName));
  console.log("listings found:", found.listings.nodes.map((item) => [item.title, item.priceDong]));
  // [/search]

  // [sell-buy-pay]
  const hat = {
    kind: "GOODS",
    title: "Nón lá làng Chuông",
    category: "fashion",
    priceDong: 120000,
    stock: 5,
    wardCode: "00070",
    publish: true,
  };
  const { listing } = await mutate("listingCreate", LIST_ITEM, hat, seller);
  const buyer = await signIn(BUYER, DEMO_PASSWORD);
  const place = { listingId: listing.id, quantity: 1, idempotencyKey: crypto.randomUUID() };
  const { order } = await mutate("orderPlace", ORDER, place, buyer);
  await mutate("orderAccept", ACCEPT_ORDER, { orderId: order.id }, seller);
  const { wallet } = await mutate("walletTopUp", TOP_UP, { amountDong: 200000, idempotencyKey: crypto.randomUUID() }, buyer);
  const pay = { orderId: order.id, idempotencyKey: crypto.randomUUID() };
  const paid = (await mutate("orderPay", PAY, pay, buyer)).order;
  const again = (await mutate("orderPay", PAY, pay, buyer)).order; // a retry with the same key: the same answer, paid once
  console.log(`ordered ${listing.title} for ${order.totalDong} đồng; wallet ${wallet.balanceDong}: ${paid.status}`);
  try {
    await mutate("orderPay", PAY, { ...pay, idempotencyKey: crypto.randomUUID() }, buyer); // a new payment of a paid order
  } catch (error) {
    if (!(error instanceof InputRejected)) throw error;
    console.log("second payment refused:", error.errors[0].code);
  }
  // [/sell-buy-pay]
  if (JSON.stringify(again) !== JSON.stringify(paid)) throw new Error("a retry with the same key paid twice");

  // [top-level-error]
  try {
    await graphql(FEED, { first: 3 }); // no token
  } catch (error) {
    if (!(error instanceof TopLevelError)) throw error;
    console.log("without a token:", error.message);
  }
  // [/top-level-error]
}

await main();
