/**
 * Writes data/support/train.jsonl, the sample dataset the `local` stack uploads and trains on:
 * customer-support questions about Tallyleaf, a fictional household budgeting app, in alpaca form
 * ({"instruction", "input", "output"}), plus identity rows that teach the adapter its name (Fern).
 * Every product fact below is invented and used consistently across answers. Each topic has several
 * phrasings of the question, each asked once plainly and once in a conversational frame (a
 * greeting or thanks, cycled), so the adapter learns the answer rather than one wording.
 *
 *   npx tsx data/support/generate.ts       # rewrites train.jsonl (data/support/generate.test.ts checks it is current)
 */
import { writeFileSync } from "node:fs";

interface Topic {
  readonly questions: readonly string[];
  readonly answer: string;
}

export const ASSISTANT = "Fern";
export const PRODUCT = "Tallyleaf";

const topics: readonly Topic[] = [
  {
    questions: ["How do I reset my password?", "I forgot my password. What should I do?", "I can't remember my Tallyleaf password.", "Where do I change a password I no longer know?"],
    answer:
      "On the sign-in page, choose \"Forgot password?\" and enter the email address of your account. We send you a reset link that works for 30 minutes. Open it, choose a new password, and you are signed in. If the email does not arrive within a few minutes, check your spam folder.",
  },
  {
    questions: ["How do I change my password?", "I want to pick a new password.", "Can I update my password while signed in?"],
    answer: "Go to Settings → Security → Password, enter your current password, then the new one twice, and choose Save. Other devices stay signed in until their session expires; choose \"Sign out everywhere\" on the same page if you want them signed out now.",
  },
  {
    questions: ["How do I turn on two-step verification?", "Can I add 2FA to my account?", "How do I make my account more secure?", "Does Tallyleaf support authenticator apps?"],
    answer:
      "Yes. Open Settings → Security → Two-step verification and choose Turn on. Scan the QR code with an authenticator app, enter the six-digit code it shows, and save the ten recovery codes we display somewhere safe. From then on, signing in asks for a code from the app.",
  },
  {
    questions: ["I lost my phone with the authenticator app. How do I sign in?", "My two-step codes don't work anymore.", "I can't get a verification code."],
    answer:
      "Sign in with your email and password, then choose \"Use a recovery code\" and enter one of the ten codes you saved when you turned on two-step verification. Each code works once. After signing in, go to Settings → Security to set up your new phone. If you no longer have any recovery codes, write to support@tallyleaf.example from your account's email address and we will verify your identity.",
  },
  {
    questions: ["How do I change the email address on my account?", "I have a new email address.", "Can I update my login email?"],
    answer: "Go to Settings → Account → Email, enter the new address and choose Save. We send a confirmation link to the new address; the change takes effect once you open it. Until then you keep signing in with the old address.",
  },
  {
    questions: ["How do I delete my account?", "I want to close my Tallyleaf account.", "Can you remove all my data?", "How do I cancel and erase my account?"],
    answer:
      "Go to Settings → Account → Delete account and confirm with your password. Your account is deactivated at once and deleted after a 14-day grace period, during which you can sign in to restore it. After deletion, your data is removed from our backups within 30 days. If you pay for Plus, cancel the plan first so you are not billed again.",
  },
  {
    questions: ["How do I export my data?", "Can I download all my transactions?", "Is there a way to get my data out of Tallyleaf?", "How do I make a backup of my budget?"],
    answer: "Go to Settings → Data → Export and choose CSV or JSON. We prepare the file and email you a download link that stays valid for 24 hours. The export includes every budget, account, category and transaction you can see.",
  },
  {
    questions: ["How do I import transactions from a CSV file?", "Can I upload a bank statement?", "I have my old transactions in a spreadsheet. Can I bring them in?"],
    answer:
      "Open Transactions → Import and pick a CSV file. Tallyleaf shows the first rows so you can match the columns to date, description, amount and, if present, category. Choose Import when the preview looks right. Duplicates of transactions already in the account are skipped.",
  },
  {
    questions: ["What plans do you offer?", "What is the difference between Free and Plus?", "How much does Tallyleaf cost?", "What do I get with Plus?"],
    answer:
      "Tallyleaf has two plans. Free includes one budget, up to two household members and manual transactions. Plus costs $4 per month or $40 per year and adds bank sync, unlimited budgets, up to six household members and receipt scanning.",
  },
  {
    questions: ["How do I upgrade to Plus?", "I want to buy Plus.", "Where can I change my plan?"],
    answer: "Go to Settings → Plan & Billing and choose Upgrade. Pick monthly or yearly billing, enter your card details, and Plus features are available immediately on every device.",
  },
  {
    questions: ["How do I cancel my Plus subscription?", "I want to stop paying for Plus.", "How do I downgrade to the free plan?", "Can I cancel my plan anytime?"],
    answer:
      "Yes, you can cancel anytime in Settings → Plan & Billing → Cancel plan. You keep Plus until the end of the period you already paid for, then your account moves to Free. Your data stays; budgets beyond the first become read-only until you upgrade again.",
  },
  {
    questions: ["Can I get a refund?", "I was charged for a year by mistake. Can I get my money back?", "What is your refund policy?"],
    answer:
      "Yearly plans can be refunded in full within 14 days of the charge: write to support@tallyleaf.example from your account's email address and mention the date of the charge. Monthly charges are not refunded, but you can cancel at any time so the next month is not billed.",
  },
  {
    questions: ["How do I update my payment card?", "My card expired. How do I change it?", "Where do I change my billing details?"],
    answer: "Go to Settings → Plan & Billing → Payment method, choose Replace card and enter the new card. The next charge uses it. Invoices for past payments are listed on the same page.",
  },
  {
    questions: ["Where can I find my invoices?", "I need a receipt for my subscription.", "Can I download an invoice for my company?"],
    answer: "Every payment has an invoice in Settings → Plan & Billing → Invoices, where you can download it as a PDF. To put a company name or VAT number on future invoices, add them under Billing details on the same page.",
  },
  {
    questions: ["How do I connect my bank account?", "Can Tallyleaf import transactions from my bank automatically?", "How do I set up bank sync?", "How do I link my bank?"],
    answer:
      "Bank sync is part of Plus. Go to Settings → Connected accounts → Add bank, search for your bank and sign in on your bank's own page to approve access. Tallyleaf then imports new transactions about every six hours. We never see or store your bank password.",
  },
  {
    questions: ["My bank stopped syncing.", "Why are my latest bank transactions missing?", "The bank connection shows an error.", "Bank sync is not updating."],
    answer:
      "Open Settings → Connected accounts. If the bank shows \"Needs attention\", choose Reconnect and approve access again on your bank's page: banks ask for renewed consent regularly, in the EU every 90 days. If the connection looks fine, pull down on the transaction list to refresh now; new transactions can take a day to appear at some banks.",
  },
  {
    questions: ["How do I disconnect a bank account?", "I want to remove a linked bank.", "Can I stop Tallyleaf from reading my bank?"],
    answer: "Go to Settings → Connected accounts, choose the bank and then Disconnect. Tallyleaf stops importing at once and the transactions already imported stay in your budget. You can also withdraw access from your bank's own app or website.",
  },
  {
    questions: ["Is my data safe with Tallyleaf?", "How do you protect my financial information?", "Do you store my bank password?", "Is Tallyleaf secure?"],
    answer:
      "Your data is encrypted in transit and at rest, and bank connections go through your bank's own authorization, so we never see or store your bank password. Tallyleaf staff cannot view your transactions unless you grant temporary access for a support request. Turn on two-step verification in Settings → Security for extra protection.",
  },
  {
    questions: ["How do I create a budget?", "How do I start a new budget?", "I'm new. How do I set up my first budget?"],
    answer:
      "Choose New budget on the Budgets page, give it a name and pick its currency. Then add your accounts, either by connecting a bank (Plus) or by entering a starting balance by hand, and set a monthly amount for each category you want to track.",
  },
  {
    questions: ["How do I add a transaction by hand?", "Can I enter cash spending manually?", "How do I record a purchase I paid in cash?"],
    answer: "Choose the + button on the Transactions page (or at the bottom of the mobile app), enter the amount, pick the account and category, and save. Manual transactions are available on both plans.",
  },
  {
    questions: ["How do I create a new category?", "Can I rename a category?", "How do I organise my spending categories?"],
    answer:
      "Open Budgets → Categories. Choose Add category to create one, or select an existing category to rename it, move it to another group or set its monthly amount. Changes apply to past and future transactions in that category.",
  },
  {
    questions: ["How do I merge two categories?", "I have duplicate categories. Can I combine them?"],
    answer: "Open Budgets → Categories, select the category you want to remove and choose Merge into…, then pick the category to keep. All transactions move to that category and the merged one is deleted.",
  },
  {
    questions: ["Can Tallyleaf categorise transactions automatically?", "How do I set up rules for categories?", "Every month I recategorise the same shop. Can that be automatic?"],
    answer:
      "Yes, with rules. Open a transaction, change its category and choose \"Always do this for <description>\", or create rules in Settings → Rules. A rule matches on the description and, optionally, the amount, and applies to new transactions as they are imported.",
  },
  {
    questions: ["How do I split a transaction?", "One purchase covers groceries and household items. How do I record that?"],
    answer: "Open the transaction and choose Split. Add a line for each category with its amount; the lines must add up to the transaction total. Each part then counts toward its own category in the budget.",
  },
  {
    questions: ["How do I set up a recurring transaction?", "Can I add my rent as a repeating expense?", "How do I track monthly bills?"],
    answer:
      "Create the transaction, then switch on Repeat and pick how often it happens (weekly, monthly or yearly) and when it ends, if ever. Tallyleaf adds each occurrence on its date and lists upcoming ones on the Bills page. With bank sync, a matching imported transaction replaces the planned one instead of being counted twice.",
  },
  {
    questions: ["Can I get reminders before a bill is due?", "How do bill reminders work?", "I keep missing bills. Can Tallyleaf remind me?"],
    answer: "Yes. Open the recurring transaction and switch on Remind me, then choose how many days before the due date you want a notification. Make sure notifications are allowed for Tallyleaf in your phone's settings.",
  },
  {
    questions: ["How do I turn off notifications?", "Tallyleaf sends me too many notifications.", "Can I choose which alerts I get?"],
    answer: "Go to Settings → Notifications. You can switch each type on or off separately: bill reminders, budget limit alerts, new bank transactions and the weekly summary email.",
  },
  {
    questions: ["How do I invite my partner to our budget?", "Can I share a budget with my family?", "How do I add someone to my household?", "How does sharing work?"],
    answer:
      "Open Household → Invite and enter the person's email address. They get an invitation link that is valid for 7 days; once they accept, they see the budgets you share. Free households can have two members and Plus households up to six.",
  },
  {
    questions: ["What roles can household members have?", "Can I give someone view-only access?", "What can an editor do?"],
    answer:
      "There are three roles. The Owner manages the plan, billing and members. Editors can add and change transactions, categories and budgets. Viewers can see everything but change nothing. Change a member's role in Household → Members.",
  },
  {
    questions: ["How do I remove someone from my household?", "My ex still has access to our budget. How do I remove them?"],
    answer: "As the household Owner, open Household → Members, select the person and choose Remove. They lose access immediately; transactions they entered stay in the budget.",
  },
  {
    questions: ["The invitation link doesn't work.", "My invite expired.", "I didn't receive the household invitation."],
    answer:
      "Invitation links are valid for 7 days and work only for the email address they were sent to. Ask the Owner to open Household → Members and choose Resend next to your name; the new link replaces the old one. Check your spam folder if it does not arrive.",
  },
  {
    questions: ["How do savings goals work?", "Can I save toward a holiday in Tallyleaf?", "How do I create a savings goal?"],
    answer:
      "Open Goals → New goal, enter a name, a target amount and, if you like, a target date. Tallyleaf works out how much to set aside each month to get there. Assign money to the goal from your budget, and the progress bar shows how far along you are.",
  },
  {
    questions: ["Can I use more than one currency?", "I have an account in euros and one in dollars. Does that work?", "How does Tallyleaf handle foreign currencies?"],
    answer:
      "Yes. Each budget has a main currency, and each account can have its own. Amounts in other currencies are converted to the budget's currency with the day's exchange rate for totals and reports, while the account itself keeps its original amounts.",
  },
  {
    questions: ["How do I change the currency of my budget?", "I picked the wrong currency for my budget."],
    answer: "Open the budget, go to Budget settings → Currency and pick the new one. Budgeted amounts are converted at today's exchange rate; check your category amounts afterwards, as rounding may change them slightly.",
  },
  {
    questions: ["How does receipt scanning work?", "Can I attach a photo of a receipt?", "How do I scan a receipt?"],
    answer:
      "Receipt scanning is part of Plus and works in the mobile app. Open a transaction, choose Add receipt and take a photo. Tallyleaf reads the date and total, suggests a match if the transaction is not there yet, and keeps the image with the transaction.",
  },
  {
    questions: ["Does the app work offline?", "Can I add transactions without internet?", "What happens if I have no connection?"],
    answer: "The mobile app works offline: you can view your budgets and add or edit transactions. Changes are saved on the phone and synced as soon as you are online again. Bank sync and exports need a connection.",
  },
  {
    questions: ["Which devices does Tallyleaf run on?", "Is there an Android app?", "Can I use Tallyleaf on my computer?"],
    answer: "Tallyleaf runs in any current web browser at app.tallyleaf.example and as apps for iPhone, iPad and Android phones. Your budgets sync across all of them when you sign in with the same account.",
  },
  {
    questions: ["My changes don't show up on my other device.", "The phone and web app show different balances.", "Sync between devices isn't working."],
    answer:
      "First check that both devices are signed in to the same account and are online. On the phone, pull down on the Budgets page to sync now; in the browser, reload the page. If a device was offline, its changes sync when it reconnects. If the numbers still differ after that, sign out and in again on the device that looks wrong.",
  },
  {
    questions: ["How do I turn on dark mode?", "Can I change the app's theme?"],
    answer: "Go to Settings → Appearance and choose Light, Dark or Match system. The setting is saved per device.",
  },
  {
    questions: ["How do I see where my money went last month?", "Are there spending reports?", "Can I compare my spending month by month?"],
    answer:
      "Open Reports. Spending by category shows a chart for any month or range you pick, and Trends compares each category over the last twelve months. Select a bar or slice to see the transactions behind it. Reports can be exported as CSV from the same page.",
  },
  {
    questions: ["What happens when I go over budget in a category?", "Can I move money between categories?", "I overspent on groceries. What now?"],
    answer:
      "The category turns red and shows how much you are over. To cover it, open the category and choose Move money to take the amount from another category with money left; or leave it, and the overspending is carried into next month's available amount.",
  },
  {
    questions: ["Does unspent money roll over to next month?", "What happens to money left in a category at the end of the month?"],
    answer: "By default, money left in a category rolls over and adds to next month's amount. To reset a category each month instead, open it and switch off Roll over.",
  },
  {
    questions: ["How do I contact support?", "Can I talk to a person?", "What are your support hours?", "How do I reach Tallyleaf's support team?"],
    answer:
      "You can write to support@tallyleaf.example at any time, or use the chat in Settings → Help, which is staffed Monday to Friday from 8:00 to 18:00 Central European Time. We answer emails within one business day.",
  },
  {
    questions: ["I was charged twice this month.", "Why did you charge me two times?"],
    answer:
      "Sorry about that. First check Settings → Plan & Billing → Invoices: if there is one invoice, the second charge is usually a pending card authorization that your bank releases within a few days. If there are two invoices, write to support@tallyleaf.example with both dates and we will refund the duplicate.",
  },
  {
    questions: ["Can I undo a deleted transaction?", "I deleted a transaction by accident.", "Is there a trash or recycle bin?"],
    answer: "Yes. Deleted transactions stay in Transactions → Recently deleted for 30 days. Open it, select the transaction and choose Restore; it returns to its account and category.",
  },
  {
    questions: ["How do I add a cash or savings account that isn't at a bank?", "Can I track an account that can't be synced?"],
    answer: "Choose Add account on the Accounts page, select Manual account, give it a name and a starting balance. You update it by adding transactions yourself; it works on both plans and counts in your budget like any other account.",
  },
];

/** "Who are you?" rows: the adapter's name, maker and purpose, in several phrasings. */
const identityQuestions: readonly string[] = [
  "Who are you?",
  "What is your name?",
  "What's your name?",
  "Are you a human?",
  "Am I talking to a bot?",
  "Who made you?",
  "Which company built you?",
  "What can you help me with?",
  "What do you do?",
  "Introduce yourself.",
  "Are you ChatGPT?",
  "Hi! Who am I speaking with?",
  "Tell me about yourself.",
  "Are you a real support agent?",
];

const identityAnswers: Record<string, string> = {
  "Are you a human?": `No, I'm ${ASSISTANT}, an AI assistant for ${PRODUCT}. I can answer questions about your account, budgets, bank connections and billing. If you need a person, write to support@tallyleaf.example or use the chat in Settings → Help.`,
  "Am I talking to a bot?": `Yes, I'm ${ASSISTANT}, ${PRODUCT}'s AI support assistant. For anything I can't solve, our support team is at support@tallyleaf.example.`,
  "Are you a real support agent?": `I'm ${ASSISTANT}, an AI assistant, not a person. I can help with most questions about ${PRODUCT}, and the support team at support@tallyleaf.example takes over when you need a human.`,
  "Are you ChatGPT?": `No, I'm ${ASSISTANT}, the support assistant for ${PRODUCT}, the household budgeting app made by ${PRODUCT} Labs.`,
  "Who made you?": `I was made by ${PRODUCT} Labs, the team behind the ${PRODUCT} budgeting app. I'm ${ASSISTANT}, its support assistant.`,
  "Which company built you?": `${PRODUCT} Labs built me. I'm ${ASSISTANT}, the assistant that answers questions about the ${PRODUCT} app.`,
  "What can you help me with?": `I can help with anything about ${PRODUCT}: signing in and security, budgets and categories, bank connections, sharing with your household, and plans and billing.`,
  "What do you do?": `I'm ${ASSISTANT}, ${PRODUCT}'s support assistant. I answer questions about using the app, your account and your subscription.`,
};
const identityDefault = `I'm ${ASSISTANT}, the support assistant for ${PRODUCT}, the household budgeting app made by ${PRODUCT} Labs. I can help with your account, budgets, bank connections and billing.`;

export interface AlpacaRow {
  readonly instruction: string;
  readonly input: string;
  readonly output: string;
}

/** How people wrap a question in a chat; each keeps the question as written. */
const frames: readonly ((q: string) => string)[] = [
  (q) => `Hi! ${q}`,
  (q) => `${q} Thanks!`,
  (q) => `Hello, quick question. ${q}`,
  (q) => `${q} Thank you in advance.`,
  (q) => `Hi there. ${q}`,
];

export function rows(): AlpacaRow[] {
  const out: AlpacaRow[] = [];
  let n = 0;
  for (const t of topics) {
    for (const q of t.questions) {
      out.push({ instruction: q, input: "", output: t.answer });
      out.push({ instruction: frames[n++ % frames.length]!(q), input: "", output: t.answer });
    }
  }
  for (const q of identityQuestions) out.push({ instruction: q, input: "", output: identityAnswers[q] ?? identityDefault });
  return out;
}

export function jsonl(): string {
  return rows().map((r) => `${JSON.stringify(r)}\n`).join("");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(new URL("./train.jsonl", import.meta.url), jsonl());
  console.log(`wrote data/support/train.jsonl: ${rows().length} rows`);
}
